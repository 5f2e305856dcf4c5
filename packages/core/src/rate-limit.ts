import type { Bus } from "@chat/bus";
import { ChatError } from "@chat/protocol";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";

export interface MessageRateLimitOptions {
  /** Messages a user may send per minute, across every edge sharing the bus's Redis. */
  messagesPerMinute: number;
}

/** Per-user message budget; throws a RATE_LIMIT ChatError (with `retryAfterMs`) past it. */
export interface MessageRateLimiter {
  consume(userId: string): Promise<void>;
}

/**
 * A fixed one-minute window per user (rate-limiter-flexible). On the Redis bus the counters
 * live in Redis, so the limit holds across edges; on the memory bus they live in this process
 * (one process is all the memory bus serves). If Redis fails, a per-process limiter takes over
 * rather than refusing every message.
 */
export function createMessageRateLimiter(bus: Bus, options: MessageRateLimitOptions): MessageRateLimiter {
  // Edges in one process that share a bus share its limiter: the memory bus's counters then
  // hold across them as Redis's do across processes.
  let perBus = shared.get(bus);
  if (!perBus) {
    perBus = new Map();
    shared.set(bus, perBus);
  }
  let limiter = perBus.get(options.messagesPerMinute);
  if (!limiter) {
    limiter = createLimiter(bus, options);
    perBus.set(options.messagesPerMinute, limiter);
  }
  return limiter;
}

const shared = new WeakMap<Bus, Map<number, MessageRateLimiter>>();

function createLimiter(bus: Bus, options: MessageRateLimitOptions): MessageRateLimiter {
  const settings = { points: options.messagesPerMinute, duration: 60, keyPrefix: `${bus.keyPrefix}rl:messages` };
  const limiter = bus.redis
    ? new RateLimiterRedis({ ...settings, storeClient: bus.redis, insuranceLimiter: new RateLimiterMemory(settings) })
    : new RateLimiterMemory(settings);
  return {
    async consume(userId) {
      try {
        await limiter.consume(userId);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        throw new ChatError("RATE_LIMIT", "Too many messages", {
          retryAfterMs: Math.max(1, Math.ceil(rejection.msBeforeNext)),
        });
      }
    },
  };
}
