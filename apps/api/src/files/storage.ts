import type { Readable } from "node:stream";

/** A byte range, both ends inclusive (as in HTTP `Range: bytes=start-end`). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where uploaded bytes live. Keys are server-made (`ab/file_xxx`); a driver refuses anything
 * else. `put` either stores the whole stream or leaves nothing behind: a body stream that
 * errors (size limit, type check, client abort) aborts the write and removes what was written.
 */
export interface FileStorage {
  readonly kind: "local" | "s3";
  put(key: string, body: Readable, options: { contentType: string }): Promise<{ size: number }>;
  /** The object's bytes (or one range of them); throws ChatError NOT_FOUND when missing. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  head(key: string): Promise<{ size: number } | undefined>;
  /** Removes the object; a missing one is not an error. */
  delete(key: string): Promise<void>;
  close?(): Promise<void>;
}

const KEY = /^[A-Za-z0-9_-]{1,100}(\/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,150})*$/;

/** Keys are ours, never a client's: anything unusual is a bug, so it throws. */
export function assertKey(key: string): void {
  if (!KEY.test(key) || key.includes("..")) throw new Error(`Invalid storage key: ${JSON.stringify(key)}`);
}
