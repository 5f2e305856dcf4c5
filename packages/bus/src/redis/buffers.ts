import type { Redis } from "ioredis";
import type { Lifecycle } from "../errors";
import { BUFFER_FIELD, DEFAULT_BUFFER_MAX_LEN, DEFAULT_BUFFER_TTL_SECONDS, positiveInt, ttlToMs } from "../options";
import type { StreamBuffers } from "../types";
import { execResults, readEntries } from "./replies";

/**
 * The frames of any number of streams, in one script: for each KEYS[i] (a buffer) and its four
 * ARGV (channel, maxLen, ttl ms, data), XADD + PEXPIRE + PUBLISH, so each entry is stored, with
 * its expiry, before anyone hears of it. A frame whose XADD fails gets its error in the reply
 * array and is not published; the others go on. The channel is an ARGV: a channel has no slot.
 */
const APPEND_AND_PUBLISH_MANY = `
local ids = {}
for i = 1, #KEYS do
  local a = (i - 1) * 4
  local id = redis.pcall('XADD', KEYS[i], 'MAXLEN', '~', ARGV[a + 2], '*', '${BUFFER_FIELD}', ARGV[a + 4])
  ids[i] = id
  if not (type(id) == 'table' and id.err) then
    redis.call('PEXPIRE', KEYS[i], ARGV[a + 3])
    redis.call('PUBLISH', ARGV[a + 1], ARGV[a + 4])
  end
end
return ids`;

/**
 * Name of that script's command. It is a batch already: ioredis's auto pipelining (another
 * tick of waiting, a Pipeline per call) is switched off for it on the commands connection.
 */
export const APPEND_AND_PUBLISH_MANY_COMMAND = "bufferAppendAndPublishMany";

/** Most frames one script call carries (Lua's unpack and the reply stay small). */
const MAX_FRAMES = 256;

type Scripted = Redis & {
  bufferAppendAndPublishMany(keyCount: number, ...keysThenArgs: (string | number)[]): Promise<(string | Error)[]>;
};

interface Frame {
  key: string;
  channel: string;
  maxLen: number;
  ttlMs: number;
  data: string;
  resolve: (id: string) => void;
  reject: (error: unknown) => void;
}

/**
 * Sends the frames of every stream that arrive while no batch is on its way as one script call:
 * one command, one reply and one script run per batch instead of per frame (each stream's
 * frames come one at a time, but hundreds of streams run at once). Like ioredis's auto
 * pipelining, the first frame waits for the end of the current tick, and frames arriving
 * while a batch is on its way go with the next one, so a batch costs no latency beyond the
 * round trip it would have waited for anyway. Batches go out in call order on one connection,
 * so each stream's frames are stored and published in the order they were given.
 */
function frameBatcher(redis: Scripted): (frame: Frame) => void {
  let queue: Frame[] = [];
  let pending = false;

  async function send(): Promise<void> {
    const batch = queue.length > MAX_FRAMES ? queue.splice(0, MAX_FRAMES) : queue;
    if (batch === queue) queue = [];
    const args: (string | number)[] = batch.map((frame) => frame.key);
    for (const frame of batch) args.push(frame.channel, frame.maxLen, frame.ttlMs, frame.data);
    try {
      const ids = await redis.bufferAppendAndPublishMany(batch.length, ...args);
      for (const [i, frame] of batch.entries()) {
        const id = ids[i];
        if (typeof id === "string") frame.resolve(id);
        else frame.reject(id instanceof Error ? id : new Error("@chat/bus: XADD returned no id"));
      }
    } catch (error) {
      for (const frame of batch) frame.reject(error);
    }
    if (queue.length > 0) void send();
    else pending = false;
  }

  return (frame) => {
    queue.push(frame);
    if (pending) return;
    pending = true;
    setImmediate(send);
  };
}

/** Capped, expiring Redis Streams, one per streamed reply. */
export function createRedisBuffers(commands: Redis, life: Lifecycle, key: (streamId: string) => string): StreamBuffers {
  const redis = commands as Scripted;
  if (!(APPEND_AND_PUBLISH_MANY_COMMAND in commands)) {
    commands.defineCommand(APPEND_AND_PUBLISH_MANY_COMMAND, { lua: APPEND_AND_PUBLISH_MANY });
  }
  const enqueue = frameBatcher(redis);
  return {
    async append(streamId, data, options = {}) {
      life.assertOpen();
      const maxLen = positiveInt(options.maxLen ?? DEFAULT_BUFFER_MAX_LEN, "maxLen");
      const ttlMs = ttlToMs(options.ttlSeconds ?? DEFAULT_BUFFER_TTL_SECONDS);
      // MULTI, not a plain pipeline: the buffer never exists without its expiry, even if this
      // process dies between the two commands. `~` lets Redis trim whole nodes (cheap).
      const [id] = execResults(
        await commands
          .multi()
          .xadd(key(streamId), "MAXLEN", "~", maxLen, "*", BUFFER_FIELD, data)
          .pexpire(key(streamId), ttlMs)
          .exec(),
      );
      if (typeof id !== "string") throw new Error("@chat/bus: XADD returned no id");
      return id;
    },

    appendAndPublish(streamId, channel, data, options = {}) {
      // Not async: the caller gets the batch's own promise, no wrapper (and its ticks) per frame;
      // a throw in the executor (closed bus, bad option) rejects it all the same.
      return new Promise<string>((resolve, reject) => {
        life.assertOpen();
        const maxLen = positiveInt(options.maxLen ?? DEFAULT_BUFFER_MAX_LEN, "maxLen");
        const ttlMs = ttlToMs(options.ttlSeconds ?? DEFAULT_BUFFER_TTL_SECONDS);
        // `key` adds the bus prefix, which channels get too.
        enqueue({ key: key(streamId), channel: key(channel), maxLen, ttlMs, data, resolve, reject });
      });
    },

    async read(streamId, afterId) {
      life.assertOpen();
      // `(` makes the start exclusive (Redis 6.2+): the entry the client already has is skipped.
      const raw = await commands.xrange(key(streamId), afterId === undefined ? "-" : `(${afterId}`, "+");
      return readEntries(raw, BUFFER_FIELD).map(({ id, value }) => ({ id, data: value }));
    },

    async expire(streamId, ttlSeconds) {
      life.assertOpen();
      await commands.pexpire(key(streamId), ttlToMs(ttlSeconds));
    },
  };
}
