import type { Lifecycle } from "../errors";
import { DEFAULT_BLOCK_MS, DEFAULT_CLAIM_COUNT, DEFAULT_READ_COUNT, positiveInt } from "../options";
import type { ClaimStaleOptions, Job, JobQueue, ReadJobsOptions } from "../types";
import type { MemoryHub } from "./hub";
import { compareStreamIds, parseStreamId, type StreamLog, waitForAppend } from "./stream-log";

export interface MemoryJobsDeps {
  hub: MemoryHub;
  life: Lifecycle;
  /** Aborted when the bus closes, so blocked reads return at once. */
  closing: AbortSignal;
  stream: string;
  group: string;
}

/** Keys of `enqueueOnce`, with when they expire (ms): one map per hub, as Redis is one per server. */
const onceKeysByHub = new WeakMap<MemoryHub, Map<string, number>>();

function onceKeysOf(hub: MemoryHub): Map<string, number> {
  let keys = onceKeysByHub.get(hub);
  if (!keys) {
    keys = new Map();
    onceKeysByHub.set(hub, keys);
  }
  return keys;
}

/** The job queue with Redis Streams consumer-group semantics, in process. */
export function createMemoryJobs({ hub, life, closing, stream, group: groupName }: MemoryJobsDeps): JobQueue {
  const log = (): StreamLog => hub.stream(stream, true);
  const onceKeys = onceKeysOf(hub);

  /** XREADGROUP ... `>`: entries past the group's cursor, handed to `consumer`. */
  function takeNew(consumer: string, count: number): Job[] {
    const current = log();
    const group = current.group(groupName);
    const jobs: Job[] = [];
    for (const [id, payload] of current.entries) {
      if (jobs.length >= count) break;
      const parsed = parseStreamId(id);
      if (compareStreamIds(parsed, group.lastDelivered) <= 0) continue;
      group.lastDelivered = parsed;
      group.pending.set(id, { consumer, deliveredAt: Date.now(), deliveries: 1 });
      jobs.push({ id, payload, deliveries: 1 });
    }
    return jobs;
  }

  return {
    async enqueue(payload) {
      life.assertOpen();
      return log().append(payload);
    },

    async enqueueOnce(key, ttlSeconds, payload) {
      life.assertOpen();
      positiveInt(ttlSeconds, "ttlSeconds");
      const now = Date.now();
      if ((onceKeys.get(key) ?? 0) > now) return undefined;
      for (const [old, expires] of onceKeys) if (expires <= now) onceKeys.delete(old);
      onceKeys.set(key, now + ttlSeconds * 1_000);
      return log().append(payload);
    },

    async read({ consumer, count = DEFAULT_READ_COUNT, blockMs = DEFAULT_BLOCK_MS }: ReadJobsOptions) {
      life.assertOpen();
      positiveInt(count, "count");
      const deadline = Date.now() + blockMs;
      for (;;) {
        const jobs = takeNew(consumer, count);
        if (jobs.length > 0) return jobs;
        const remaining = deadline - Date.now();
        // A read blocked when the bus closes ends empty, so a worker loop can wind down.
        if (remaining <= 0 || life.closed) return [];
        await waitForAppend(log(), remaining, closing);
      }
    },

    async ack(id) {
      life.assertOpen();
      const current = log();
      current.group(groupName).pending.delete(id);
      current.entries.delete(id);
    },

    async touch(consumer, ids) {
      life.assertOpen();
      const { pending } = log().group(groupName);
      const now = Date.now();
      for (const id of ids) {
        const entry = pending.get(id);
        if (entry?.consumer === consumer) entry.deliveredAt = now;
      }
    },

    async claimStale({ consumer, minIdleMs, count = DEFAULT_CLAIM_COUNT }: ClaimStaleOptions) {
      life.assertOpen();
      positiveInt(count, "count");
      const current = log();
      const { pending } = current.group(groupName);
      const now = Date.now();
      const jobs: Job[] = [];
      for (const [id, entry] of pending) {
        if (jobs.length >= count) break;
        if (now - entry.deliveredAt < minIdleMs) continue;
        const payload = current.entries.get(id);
        // Redis 7 drops pending entries whose stream entry was deleted instead of claiming them.
        if (payload === undefined) {
          pending.delete(id);
          continue;
        }
        entry.consumer = consumer;
        entry.deliveredAt = now;
        entry.deliveries++;
        jobs.push({ id, payload, deliveries: entry.deliveries });
      }
      return jobs;
    },

    async pendingCount() {
      life.assertOpen();
      return log().group(groupName).pending.size;
    },

    async backlog() {
      life.assertOpen();
      const current = log();
      const { lastDelivered } = current.group(groupName);
      let count = 0;
      for (const id of current.entries.keys()) {
        if (compareStreamIds(parseStreamId(id), lastDelivered) > 0) count++;
      }
      return count;
    },
  };
}
