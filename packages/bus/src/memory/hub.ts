import { StreamLog } from "./stream-log";

/** Receives every message published on a channel it is attached to (full, prefixed name). */
export type Dispatcher = (channel: string, payload: string) => void;

/** A string, a set or a sorted set, as in Redis, with an optional expiry (epoch ms). */
export type StoredValue =
  | { kind: "string"; value: string; expiresAt: number | undefined }
  | { kind: "set"; members: Set<string>; expiresAt: number | undefined }
  | { kind: "zset"; scores: Map<string, number>; expiresAt: number | undefined };

/** Expired keys are also removed on access; the sweep frees the ones nobody reads again. */
const SWEEP_INTERVAL_MS = 5_000;

/**
 * The state memory buses share: channels, streams and keys, all under full (namespaced)
 * names. Every `createMemoryBus` without a `hub` gets its own; buses given the same hub see
 * each other's publishes, jobs and keys, like processes sharing one Redis.
 */
export class MemoryHub {
  readonly #channels = new Map<string, Set<Dispatcher>>();
  readonly #streams = new Map<string, StreamLog>();
  readonly #values = new Map<string, StoredValue>();
  #deliveries: Array<() => void> = [];
  #deliveryScheduled = false;
  #lastSweep = Date.now();

  attach(channel: string, dispatcher: Dispatcher): void {
    let set = this.#channels.get(channel);
    if (!set) {
      set = new Set();
      this.#channels.set(channel, set);
    }
    set.add(dispatcher);
  }

  detach(channel: string, dispatcher: Dispatcher): void {
    const set = this.#channels.get(channel);
    if (!set) return;
    set.delete(dispatcher);
    if (set.size === 0) this.#channels.delete(channel);
  }

  /**
   * Delivers on a later turn of the event loop (never inside `publish`), in publish order, to
   * the dispatchers attached now that are still attached then. A listener that publishes gets
   * its message delivered on the next turn, so a publish loop cannot starve I/O.
   */
  publish(channel: string, payload: string): void {
    const targets = this.#channels.get(channel);
    if (!targets || targets.size === 0) return;
    const snapshot = [...targets];
    this.#deliveries.push(() => {
      const current = this.#channels.get(channel);
      for (const dispatcher of snapshot) if (current?.has(dispatcher)) dispatcher(channel, payload);
    });
    if (!this.#deliveryScheduled) {
      this.#deliveryScheduled = true;
      setImmediate(() => this.#deliver());
    }
  }

  /** The live stream under `key`, created when `create` is set; expired streams are gone. */
  stream(key: string, create: true): StreamLog;
  stream(key: string, create?: false): StreamLog | undefined;
  stream(key: string, create = false): StreamLog | undefined {
    this.#maybeSweep();
    let log = this.#streams.get(key);
    if (log?.isExpired(Date.now())) {
      this.#streams.delete(key);
      log = undefined;
    }
    if (!log && create) {
      log = new StreamLog();
      this.#streams.set(key, log);
    }
    return log;
  }

  /** The live value under `key`, or undefined when missing or expired. */
  value(key: string): StoredValue | undefined {
    this.#maybeSweep();
    const stored = this.#values.get(key);
    if (stored?.expiresAt !== undefined && stored.expiresAt <= Date.now()) {
      this.#values.delete(key);
      return undefined;
    }
    return stored;
  }

  setValue(key: string, value: StoredValue): void {
    this.#values.set(key, value);
  }

  deleteValue(key: string): void {
    this.#values.delete(key);
  }

  /** Deletes every stream and key whose name starts with `prefix` (test cleanup). */
  deletePrefix(prefix: string): void {
    for (const key of this.#streams.keys()) if (key.startsWith(prefix)) this.#streams.delete(key);
    for (const key of this.#values.keys()) if (key.startsWith(prefix)) this.#values.delete(key);
  }

  #deliver(): void {
    this.#deliveryScheduled = false;
    const batch = this.#deliveries;
    this.#deliveries = [];
    for (const deliver of batch) deliver();
  }

  #maybeSweep(): void {
    const now = Date.now();
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    for (const [key, log] of this.#streams) if (log.isExpired(now)) this.#streams.delete(key);
    for (const [key, stored] of this.#values) {
      if (stored.expiresAt !== undefined && stored.expiresAt <= now) this.#values.delete(key);
    }
  }
}

/** A fresh hub to share between memory buses (see `MemoryBusOptions.hub`). */
export function createMemoryHub(): MemoryHub {
  return new MemoryHub();
}
