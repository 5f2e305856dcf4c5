import type { BufferEntry } from "../types";

interface StreamId {
  ms: number;
  seq: number;
}

/** Parses a Redis-style stream id (`"1700000000000-3"`, or `"1700000000000"` meaning seq 0). */
export function parseStreamId(id: string): StreamId {
  const match = /^(\d+)(?:-(\d+))?$/.exec(id);
  if (!match) throw new Error(`@chat/bus: invalid stream id ${JSON.stringify(id)}`);
  return { ms: Number(match[1]), seq: Number(match[2] ?? 0) };
}

export function compareStreamIds(a: StreamId, b: StreamId): number {
  return a.ms - b.ms || a.seq - b.seq;
}

/** A consumer's claim on a delivered, not yet acknowledged entry (one line of Redis's PEL). */
export interface PendingEntry {
  consumer: string;
  deliveredAt: number;
  deliveries: number;
}

/** A consumer group: how far it has read, and what it delivered but has not had acked. */
export interface ConsumerGroup {
  lastDelivered: StreamId;
  /** Keyed by entry id; insertion order is id order because entries are delivered in order. */
  pending: Map<string, PendingEntry>;
}

/**
 * The in-process twin of a Redis Stream: entries with time-based, strictly increasing ids,
 * consumer groups, and an optional expiry. Job queues and stream buffers are both built on it.
 */
export class StreamLog {
  /** Map iteration order is insertion order, which is id order since ids only grow. */
  readonly entries = new Map<string, string>();
  readonly groups = new Map<string, ConsumerGroup>();
  /** Blocked readers to wake when an entry arrives. */
  readonly waiters = new Set<() => void>();
  /** Epoch ms after which the stream is gone; undefined = never. */
  expiresAt: number | undefined;
  #last: StreamId = { ms: 0, seq: 0 };

  /** Appends an entry and wakes blocked readers; returns its id. */
  append(data: string): string {
    const now = Date.now();
    // Same millisecond (or a clock that went backwards): keep the time part, bump the sequence.
    this.#last = now > this.#last.ms ? { ms: now, seq: 0 } : { ms: this.#last.ms, seq: this.#last.seq + 1 };
    const id = `${this.#last.ms}-${this.#last.seq}`;
    this.entries.set(id, data);
    for (const wake of [...this.waiters]) wake();
    return id;
  }

  /** Drops the oldest entries until at most `maxLen` remain. */
  trim(maxLen: number): void {
    for (const id of this.entries.keys()) {
      if (this.entries.size <= maxLen) break;
      this.entries.delete(id);
    }
  }

  /** Entries with an id greater than `afterId` (all when omitted), oldest first. */
  after(afterId?: string): BufferEntry[] {
    const from = afterId === undefined ? undefined : parseStreamId(afterId);
    const result: BufferEntry[] = [];
    for (const [id, data] of this.entries) {
      if (from && compareStreamIds(parseStreamId(id), from) <= 0) continue;
      result.push({ id, data });
    }
    return result;
  }

  /** The group, created on first use reading from the start (like `XGROUP CREATE ... 0`). */
  group(name: string): ConsumerGroup {
    let group = this.groups.get(name);
    if (!group) {
      group = { lastDelivered: { ms: 0, seq: 0 }, pending: new Map() };
      this.groups.set(name, group);
    }
    return group;
  }

  isExpired(now: number): boolean {
    return this.expiresAt !== undefined && this.expiresAt <= now;
  }
}

/**
 * Waits until an entry is appended to `log`, `ms` pass, or `signal` aborts (the bus closed),
 * whichever comes first. Never rejects: the caller re-checks the log either way.
 */
export function waitForAppend(log: StreamLog, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      log.waiters.delete(done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    log.waiters.add(done);
    signal.addEventListener("abort", done, { once: true });
  });
}
