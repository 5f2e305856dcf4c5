/**
 * `@chat/bus`: pub/sub, the agent job queue, stream buffers and small keys, on Redis or in
 * process. See `types.ts` for the contract both implementations keep.
 */
import { createMemoryBus } from "./memory-bus";
import { createRedisBus, type RedisBusOptions } from "./redis-bus";
import type { Bus } from "./types";

export { channels, keys } from "./channels";
export { BusClosedError } from "./errors";
export { createMemoryBus, createMemoryHub, type MemoryBusOptions, type MemoryHub } from "./memory-bus";
export { createRedisBus, type RedisBusOptions } from "./redis-bus";
export type * from "./types";

/**
 * The Redis bus when `url` is given, the in-process one otherwise (one process only: nothing
 * is shared with other processes).
 */
export function createBus(options: RedisBusOptions & { url?: string | undefined }): Bus {
  const { url, ...rest } = options;
  return url ? createRedisBus(url, rest) : createMemoryBus(rest);
}
