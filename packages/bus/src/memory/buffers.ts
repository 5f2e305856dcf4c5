import type { Lifecycle } from "../errors";
import { DEFAULT_BUFFER_MAX_LEN, DEFAULT_BUFFER_TTL_SECONDS, positiveInt, ttlToMs } from "../options";
import type { PubSub, StreamBuffers } from "../types";
import type { MemoryHub } from "./hub";

/** Stream buffers in process: exact trimming to `maxLen`, expiry checked on access. */
export function createMemoryBuffers(
  hub: MemoryHub,
  life: Lifecycle,
  key: (streamId: string) => string,
  pubsub: PubSub,
): StreamBuffers {
  const buffers: StreamBuffers = {
    async append(streamId, data, options = {}) {
      life.assertOpen();
      const maxLen = positiveInt(options.maxLen ?? DEFAULT_BUFFER_MAX_LEN, "maxLen");
      const ttlMs = ttlToMs(options.ttlSeconds ?? DEFAULT_BUFFER_TTL_SECONDS);
      const log = hub.stream(key(streamId), true);
      const id = log.append(data);
      log.trim(maxLen);
      log.expiresAt = Date.now() + ttlMs;
      return id;
    },

    async appendAndPublish(streamId, channel, data, options) {
      const id = await buffers.append(streamId, data, options);
      await pubsub.publish(channel, data);
      return id;
    },

    async read(streamId, afterId) {
      life.assertOpen();
      return hub.stream(key(streamId))?.after(afterId) ?? [];
    },

    async expire(streamId, ttlSeconds) {
      life.assertOpen();
      const ttlMs = ttlToMs(ttlSeconds);
      const log = hub.stream(key(streamId));
      if (log) log.expiresAt = Date.now() + ttlMs;
    },
  };
  return buffers;
}
