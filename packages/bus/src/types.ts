import type { Redis } from "ioredis";

/**
 * The bus: everything the apps share through Redis (or, in one process, through memory).
 * One interface, two implementations: `createRedisBus` (ioredis) and `createMemoryBus`.
 * The same contract test suite runs against both.
 */

/** Called with the raw payload string published on a channel. */
export type MessageListener = (payload: string, channel: string) => void;

/** Removes one listener; the channel is unsubscribed when its last listener goes. Idempotent. */
export type Unsubscribe = () => Promise<void>;

export interface PubSub {
  /** Publish a payload (usually a JSON server frame) on a channel. Resolves once sent. */
  publish(channel: string, payload: string): Promise<void>;
  /**
   * Add a listener to a channel. Subscriptions are reference-counted: the first listener of a
   * channel subscribes (resolves once the subscription is active, so a publish made after this
   * resolves is delivered), the last one's `Unsubscribe` unsubscribes.
   */
  subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe>;
  /** Number of channels this process is subscribed to right now (for metrics and leak tests). */
  subscribedChannelCount(): number;
}

/** A job taken from the queue. `id` is the stream entry id, used to ack it. */
export interface Job {
  id: string;
  payload: string;
  /** How many times this job has been delivered, this delivery included (1 on first delivery). */
  deliveries: number;
}

export interface ReadJobsOptions {
  /** Consumer name, unique per worker instance. */
  consumer: string;
  /** Most jobs returned at once. @default 1 */
  count?: number;
  /** How long to wait for a job before returning []; 0 returns at once. @default 1_000 */
  blockMs?: number;
}

export interface ClaimStaleOptions {
  consumer: string;
  /** Jobs delivered to another consumer and not acked for at least this long are taken over. */
  minIdleMs: number;
  /** @default 10 */
  count?: number;
}

/** The agent job queue: a Redis Stream with one consumer group (at-least-once delivery). */
export interface JobQueue {
  /** Append a job; resolves with its id. */
  enqueue(payload: string): Promise<string>;
  /**
   * Append a job unless one was already appended under `key` in the last `ttlSeconds`, in one
   * atomic step (the key is set with the append, or neither happens). Resolves with the job id,
   * or undefined when skipped. For work that must be queued once however often it is asked for
   * (a resent message whose first attempt may or may not have reached the queue).
   */
  enqueueOnce(key: string, ttlSeconds: number, payload: string): Promise<string | undefined>;
  /** Read new jobs for this consumer, waiting up to `blockMs`. Never returns another consumer's pending job. */
  read(options: ReadJobsOptions): Promise<Job[]>;
  /** Acknowledge (and delete) a finished job. */
  ack(id: string): Promise<void>;
  /**
   * Heartbeat for jobs still running: resets their idle time (XCLAIM ... JUSTID, which does not
   * count a delivery) so that `claimStale` does not hand a long job of a live worker to
   * another. Only jobs `consumer` still owns are touched.
   */
  touch(consumer: string, ids: readonly string[]): Promise<void>;
  /** Take over jobs whose consumer stopped acknowledging them (XAUTOCLAIM). */
  claimStale(options: ClaimStaleOptions): Promise<Job[]>;
  /** Jobs delivered but not yet acked, across all consumers. */
  pendingCount(): Promise<number>;
  /** Jobs in the stream not yet delivered to any consumer. */
  backlog(): Promise<number>;
}

/** One entry of a stream buffer. `id` orders entries and is the resume cursor. */
export interface BufferEntry {
  id: string;
  data: string;
}

export interface AppendOptions {
  /**
   * Entries kept (oldest dropped first). Redis trims approximately (`MAXLEN ~`, whole stream
   * nodes at a time), so up to about a hundred more may remain; never fewer. @default 10_000
   */
  maxLen?: number;
  /** Seconds the buffer lives after the last append. @default 3_600 */
  ttlSeconds?: number;
}

/**
 * Capped per-stream chunk buffers, kept a while after the end. `streamId` is the buffer's key,
 * normally `keys.streamBuffer(message_id)` (`chat:stream:{message_id}`); the namespace is added.
 */
export interface StreamBuffers {
  append(streamId: string, data: string, options?: AppendOptions): Promise<string>;
  /**
   * `append`, then publish `data` on `channel`, in one script on Redis: no subscriber can see a
   * frame that a resumer reading the buffer would not find. The frames of all streams given in
   * one tick (or while the previous batch is on its way) go as one script call, in call order,
   * so a frame costs a share of one command instead of four. Resolves with the entry id.
   */
  appendAndPublish(streamId: string, channel: string, data: string, options?: AppendOptions): Promise<string>;
  /** Entries after `afterId` (exclusive), oldest first; all of them when `afterId` is omitted. */
  read(streamId: string, afterId?: string): Promise<BufferEntry[]>;
  /** Set the buffer to expire in `ttlSeconds` (e.g. shortly after the stream ended). */
  expire(streamId: string, ttlSeconds: number): Promise<void>;
}

/** Small key/value operations with expiry: presence, caches, dedupe. */
export interface KeyValue {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Add members to a set, refreshing the set's expiry. */
  sadd(key: string, members: string[], ttlSeconds?: number): Promise<void>;
  srem(key: string, members: string[]): Promise<void>;
  smembers(key: string): Promise<string[]>;
}

export interface Bus {
  readonly kind: "redis" | "memory";
  readonly pubsub: PubSub;
  readonly jobs: JobQueue;
  readonly buffers: StreamBuffers;
  readonly kv: KeyValue;
  readonly presence: Presence;
  /**
   * The Redis command connection (ioredis), for libraries that take a client of their own
   * (rate-limiter-flexible); undefined on the memory bus.
   */
  readonly redis?: Redis;
  /** What every key of this bus starts with (the namespace and `:`, or ""). */
  readonly keyPrefix: string;
  /** Resolves when every connection answers (readiness). Rejects otherwise. */
  ping(): Promise<void>;
  /**
   * Close every connection. Idempotent. Afterwards every call rejects with `BusClosedError`,
   * except an `Unsubscribe`, which resolves (the subscription is gone with the connection);
   * a `jobs.read` blocked at that moment resolves with [].
   */
  close(): Promise<void>;
}

/** Where an error that no caller could receive came from (see `BusOptions.onError`). */
export type BusErrorSource = "listener" | "connection";

export interface BusOptions {
  /**
   * Prefix for every key, stream and channel name, joined with `:` (`"t1"` → `t1:chat:jobs`).
   * Lets tests share one Redis without seeing each other's jobs. Listeners still receive the
   * un-prefixed channel name. @default ""
   */
  namespace?: string;
  /** Name of the job stream. @default "chat:jobs" */
  jobStream?: string;
  /** Name of the job consumer group. @default "chat-workers" */
  jobGroup?: string;
  /**
   * Receives errors that no caller can catch: a listener that threw (other listeners still get
   * the message), or a Redis connection error (the connection reconnects by itself; commands
   * meanwhile reject). Apps pass their logger here.
   * @default listener errors go to `console.error`, connection errors are dropped
   */
  onError?: (error: unknown, source: BusErrorSource) => void;
}

/** One WebSocket connection of a user in a session, as presence tracks it. */
export interface PresenceEntry {
  sessionId: string;
  userId: string;
  connectionId: string;
}

/**
 * Who is connected where, across every edge, in the spec's keys: `ws:connections:{user_id}`
 * (a sorted set of `{session_id}\n{connection_id}` scored by expiry, ms) and
 * `ws:sessions:{session_id}` (a sorted set of user ids scored by expiry). Every entry expires
 * unless refreshed, so an edge that dies without a goodbye is forgotten after `ttlSeconds`.
 * Each operation is atomic (one Lua script on Redis), so "first" and "last" are decided once
 * across all edges: every join/leave of a user in a session is reported exactly once.
 * `ttlSeconds` must be the same on every edge.
 */
export interface Presence {
  /** Record (or refresh) a connection. Resolves true when the user was not present in the session. */
  join(entry: PresenceEntry, ttlSeconds: number): Promise<boolean>;
  /** Heartbeat for many connections: like `join`; resolves the entries whose user had been dropped. */
  refresh(entries: PresenceEntry[], ttlSeconds: number): Promise<PresenceEntry[]>;
  /** Remove a connection. Resolves true when it was the user's last one in the session. */
  leave(entry: PresenceEntry): Promise<boolean>;
  /** Users of the session whose connections all expired; each is returned to one caller only. */
  sweep(sessionId: string): Promise<string[]>;
  /** Users present in the session now. */
  users(sessionId: string): Promise<string[]>;
}
