import type { Redis } from "ioredis";
import type { Lifecycle } from "../errors";
import { ListenerRegistry } from "../listener-registry";
import type { ErrorReporter } from "../options";
import type { PubSub } from "../types";

export interface RedisPubSubDeps {
  /** Publishes go out on the command connection: a subscribed connection may not PUBLISH. */
  commands: Redis;
  /** Dedicated to SUBSCRIBE/UNSUBSCRIBE; ioredis re-subscribes it after a reconnect. */
  subscriber: Redis;
  life: Lifecycle;
  prefix: string;
  onError: ErrorReporter;
}

/** Pub/sub with one SUBSCRIBE per channel per bus, however many listeners the channel has. */
export function createRedisPubSub({ commands, subscriber, life, prefix, onError }: RedisPubSubDeps): PubSub & {
  close(): void;
} {
  const registry = new ListenerRegistry(
    {
      // ioredis resolves these once Redis confirmed, and keeps its own channel list in step,
      // which is what it re-subscribes from after a reconnect.
      async subscribe(channel) {
        await subscriber.subscribe(prefix + channel);
      },
      async unsubscribe(channel) {
        await subscriber.unsubscribe(prefix + channel);
      },
    },
    onError,
  );

  subscriber.on("message", (channel: string, payload: string) => {
    if (channel.startsWith(prefix)) registry.dispatch(channel.slice(prefix.length), payload);
  });

  return {
    async publish(channel, payload) {
      life.assertOpen();
      await commands.publish(prefix + channel, payload);
    },
    async subscribe(channel, listener) {
      life.assertOpen();
      return registry.add(channel, listener);
    },
    subscribedChannelCount: () => registry.activeCount(),
    close: () => registry.clear(),
  };
}
