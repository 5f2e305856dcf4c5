import type { Lifecycle } from "../errors";
import { ListenerRegistry } from "../listener-registry";
import type { ErrorReporter } from "../options";
import type { PubSub } from "../types";
import type { Dispatcher, MemoryHub } from "./hub";

/** Pub/sub through a hub: one hub attachment per channel per bus, like one SUBSCRIBE. */
export function createMemoryPubSub(
  hub: MemoryHub,
  life: Lifecycle,
  prefix: string,
  onError: ErrorReporter,
): PubSub & { close(): void } {
  const attached = new Set<string>();
  const dispatch: Dispatcher = (fullChannel, payload) => registry.dispatch(fullChannel.slice(prefix.length), payload);
  const registry = new ListenerRegistry(
    {
      async subscribe(channel) {
        hub.attach(prefix + channel, dispatch);
        attached.add(channel);
      },
      async unsubscribe(channel) {
        hub.detach(prefix + channel, dispatch);
        attached.delete(channel);
      },
    },
    onError,
  );

  return {
    async publish(channel, payload) {
      life.assertOpen();
      hub.publish(prefix + channel, payload);
    },
    async subscribe(channel, listener) {
      life.assertOpen();
      return registry.add(channel, listener);
    },
    subscribedChannelCount: () => registry.activeCount(),
    close() {
      for (const channel of attached) hub.detach(prefix + channel, dispatch);
      attached.clear();
      registry.clear();
    },
  };
}
