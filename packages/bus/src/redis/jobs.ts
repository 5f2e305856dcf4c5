import type { Redis } from "ioredis";
import type { Lifecycle } from "../errors";
import { DEFAULT_BLOCK_MS, DEFAULT_CLAIM_COUNT, DEFAULT_READ_COUNT, JOB_FIELD, positiveInt } from "../options";
import type { Job, JobQueue } from "../types";
import type { BlockingPool } from "./blocking-pool";
import { isReplyError } from "./connections";
import { execResults, pairsToRecord, readEntries, type StreamEntry } from "./replies";

/**
 * Reset the idle time of the ids KEYS[1]'s group ARGV[1] still has pending for consumer
 * ARGV[2], atomically, so a job another worker took over is never taken back.
 */
const TOUCH_SCRIPT = `
local touched = 0
for i = 3, #ARGV do
  local line = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if line[1] and line[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    touched = touched + 1
  end
end
return touched`;

/** SET NX the key and XADD the job together, or do neither (Redis runs a script atomically). */
const ENQUEUE_ONCE_SCRIPT = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return false end
return redis.call('XADD', KEYS[2], '*', ARGV[2], ARGV[3])`;

export interface RedisJobsDeps {
  commands: Redis;
  pool: BlockingPool;
  life: Lifecycle;
  stream: string;
  group: string;
  /** The bus's key prefix applied to a key. */
  keyOf: (key: string) => string;
}

/** The job queue on a Redis Stream with one consumer group (at-least-once delivery). */
export function createRedisJobs({ commands, pool, life, stream, group, keyOf }: RedisJobsDeps): JobQueue {
  let groupReady: Promise<void> | undefined;

  /** XGROUP CREATE at `0` (jobs enqueued before any worker started are not skipped), once. */
  function ensureGroup(): Promise<void> {
    groupReady ??= commands.xgroup("CREATE", stream, group, "0", "MKSTREAM").then(
      () => undefined,
      (error: unknown) => {
        if (isReplyError(error, "BUSYGROUP")) return;
        groupReady = undefined; // let the next call try again (Redis may just be down)
        throw error;
      },
    );
    return groupReady;
  }

  async function withGroup<T>(operation: () => Promise<T>): Promise<T> {
    life.assertOpen();
    await ensureGroup();
    try {
      return await operation();
    } catch (error) {
      // The stream, and its group with it, can vanish (FLUSHDB, an operator's DEL): recreate once.
      if (!isReplyError(error, "NOGROUP")) throw error;
      groupReady = undefined;
      await ensureGroup();
      return operation();
    }
  }

  /** Delivery counters of `entries` from the PEL, keeping only those `consumer` still owns. */
  async function withDeliveries(entries: StreamEntry[], consumer: string): Promise<Job[]> {
    const pipeline = commands.pipeline();
    for (const { id } of entries) pipeline.xpending(stream, group, id, id, 1, consumer);
    const replies = execResults(await pipeline.exec());
    const jobs: Job[] = [];
    entries.forEach(({ id, value }, index) => {
      // Each reply is [[id, consumer, idle ms, deliveries]], or [] when the entry was acked or
      // claimed by someone else between XAUTOCLAIM and now: then it is no longer ours to run.
      const line: unknown = (replies[index] as unknown[] | undefined)?.[0];
      if (Array.isArray(line)) jobs.push({ id, payload: value, deliveries: Number(line[3]) });
    });
    return jobs;
  }

  return {
    async enqueue(payload) {
      life.assertOpen();
      const id = await commands.xadd(stream, "*", JOB_FIELD, payload);
      if (id === null) throw new Error("@chat/bus: XADD returned no id");
      return id;
    },

    async enqueueOnce(key, ttlSeconds, payload) {
      life.assertOpen();
      positiveInt(ttlSeconds, "ttlSeconds");
      const id: unknown = await commands.eval(
        ENQUEUE_ONCE_SCRIPT,
        2,
        keyOf(key),
        stream,
        ttlSeconds,
        JOB_FIELD,
        payload,
      );
      return typeof id === "string" ? id : undefined;
    },

    async read({ consumer, count = DEFAULT_READ_COUNT, blockMs = DEFAULT_BLOCK_MS }) {
      life.assertOpen();
      positiveInt(count, "count");
      const block = Math.ceil(blockMs);
      try {
        const reply = await withGroup(() =>
          pool.use((connection) =>
            block > 0
              ? connection.xreadgroup("GROUP", group, consumer, "COUNT", count, "BLOCK", block, "STREAMS", stream, ">")
              : connection.xreadgroup("GROUP", group, consumer, "COUNT", count, "STREAMS", stream, ">"),
          ),
        );
        // Reply: null on timeout, else [[stream, [[id, fields], ...]]].
        const streams: unknown = reply;
        const first: unknown = Array.isArray(streams) ? streams[0] : undefined;
        const entries = readEntries(Array.isArray(first) ? first[1] : undefined, JOB_FIELD);
        return entries.map(({ id, value }) => ({ id, payload: value, deliveries: 1 }));
      } catch (error) {
        // The bus closed under a blocked read: end empty so a worker loop can wind down.
        if (life.closed) return [];
        throw error;
      }
    },

    async ack(id) {
      await withGroup(async () => {
        // XDEL too: acked jobs would otherwise pile up in the stream forever.
        execResults(await commands.multi().xack(stream, group, id).xdel(stream, id).exec());
      });
    },

    async touch(consumer, ids) {
      if (ids.length === 0) return;
      await withGroup(() => commands.eval(TOUCH_SCRIPT, 1, stream, group, consumer, ...ids));
    },

    async claimStale({ consumer, minIdleMs, count = DEFAULT_CLAIM_COUNT }) {
      positiveInt(count, "count");
      const minIdle = Math.max(0, Math.floor(minIdleMs));
      return withGroup(async () => {
        const claimed: StreamEntry[] = [];
        let cursor = "0-0";
        // One XAUTOCLAIM scans at most COUNT×10 pending entries; go on until the whole PEL
        // was scanned (cursor back at 0-0) or enough jobs were claimed.
        do {
          const reply = await commands.xautoclaim(
            stream,
            group,
            consumer,
            minIdle,
            cursor,
            "COUNT",
            count - claimed.length,
          );
          cursor = String(reply[0]);
          claimed.push(...readEntries(reply[1], JOB_FIELD));
        } while (cursor !== "0-0" && claimed.length < count);
        return claimed.length === 0 ? [] : withDeliveries(claimed, consumer);
      });
    },

    async pendingCount() {
      return withGroup(async () => Number((await commands.xpending(stream, group))[0] ?? 0));
    },

    async backlog() {
      return withGroup(async () => {
        const groups: unknown = await commands.xinfo("GROUPS", stream);
        const info = (Array.isArray(groups) ? groups : []).map(pairsToRecord).find((g) => g.name === group);
        if (!info) return 0;
        // Redis 7 tracks the lag; it is null when deletions make it unknowable, and absent
        // before 7. Then count the entries after the group's cursor.
        if (typeof info.lag === "number") return info.lag;
        const after = await commands.xrange(stream, `(${String(info["last-delivered-id"])}`, "+");
        return after.length;
      });
    },
  };
}
