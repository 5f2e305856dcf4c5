import type { Redis } from "ioredis";
import type { Lifecycle } from "../errors";
import { BUFFER_FIELD, DEFAULT_BUFFER_MAX_LEN, DEFAULT_BUFFER_TTL_SECONDS, positiveInt, ttlToMs } from "../options";
import type { StreamBuffers } from "../types";
import { execResults, readEntries } from "./replies";

/**
 * KEYS: the buffer. ARGV: the channel (not a key: a channel has no slot), maxLen, ttl ms, data. XADD + PEXPIRE + PUBLISH in one
 * script: atomic like the MULTI of `append`, the entry stored before anyone hears of it, and one
 * command a frame, which ioredis auto-pipelines with the other streams' frames.
 */
const APPEND_AND_PUBLISH = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', '${BUFFER_FIELD}', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[1], ARGV[4])
return id`;

type Scripted = Redis & {
  bufferAppendAndPublish(buffer: string, channel: string, maxLen: number, ttlMs: number, data: string): Promise<string>;
};

/** Capped, expiring Redis Streams, one per streamed reply. */
export function createRedisBuffers(commands: Redis, life: Lifecycle, key: (streamId: string) => string): StreamBuffers {
  const redis = commands as Scripted;
  if (!("bufferAppendAndPublish" in commands)) {
    commands.defineCommand("bufferAppendAndPublish", { numberOfKeys: 1, lua: APPEND_AND_PUBLISH });
  }
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

    async appendAndPublish(streamId, channel, data, options = {}) {
      life.assertOpen();
      const maxLen = positiveInt(options.maxLen ?? DEFAULT_BUFFER_MAX_LEN, "maxLen");
      const ttlMs = ttlToMs(options.ttlSeconds ?? DEFAULT_BUFFER_TTL_SECONDS);
      // `key` adds the bus prefix, which channels get too.
      return redis.bufferAppendAndPublish(key(streamId), key(channel), maxLen, ttlMs, data);
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
