import type { BusErrorSource, BusOptions } from "./types.js";

export const DEFAULT_JOB_STREAM = "chat:jobs";
export const DEFAULT_JOB_GROUP = "chat-workers";
export const DEFAULT_READ_COUNT = 1;
export const DEFAULT_BLOCK_MS = 1_000;
export const DEFAULT_CLAIM_COUNT = 10;
export const DEFAULT_BUFFER_MAX_LEN = 10_000;
export const DEFAULT_BUFFER_TTL_SECONDS = 3_600;

/** Field of a job stream entry that holds the payload. */
export const JOB_FIELD = "payload";
/** Field of a stream buffer entry that holds the data. */
export const BUFFER_FIELD = "data";

export type ErrorReporter = (error: unknown, source: BusErrorSource) => void;

/**
 * A listener bug should be visible even when the app passed no `onError`; connection errors
 * are not printed by default because every command made meanwhile rejects with them anyway.
 */
const defaultOnError: ErrorReporter = (error, source) => {
  if (source === "listener") console.error("@chat/bus: a message listener threw", error);
};

/** Turns a namespace into a prefix: `"t1"` → `"t1:"`; `""` stays empty; a trailing `:` is kept. */
export function namespacePrefix(namespace = ""): string {
  return namespace === "" || namespace.endsWith(":") ? namespace : `${namespace}:`;
}

export interface ResolvedBusOptions {
  prefix: string;
  jobStream: string;
  jobGroup: string;
  onError: ErrorReporter;
}

export function resolveBusOptions(options: BusOptions = {}): ResolvedBusOptions {
  const prefix = namespacePrefix(options.namespace);
  return {
    prefix,
    jobStream: prefix + (options.jobStream ?? DEFAULT_JOB_STREAM),
    jobGroup: options.jobGroup ?? DEFAULT_JOB_GROUP,
    onError: options.onError ?? defaultOnError,
  };
}

/**
 * Seconds → milliseconds for PX/PEXPIRE. Fractions are allowed (tests use sub-second TTLs);
 * zero or negative would mean "delete now" on some commands and an error on others, so refuse.
 */
export function ttlToMs(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`@chat/bus: ttlSeconds must be a positive number, got ${ttlSeconds}`);
  }
  return Math.max(1, Math.round(ttlSeconds * 1_000));
}

export function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`@chat/bus: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
