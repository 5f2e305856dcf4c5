import { Lifecycle } from "./errors";
import { createMemoryBuffers } from "./memory/buffers";
import { createMemoryHub, type MemoryHub } from "./memory/hub";
import { createMemoryJobs } from "./memory/jobs";
import { createMemoryKv } from "./memory/kv";
import { createMemoryPresence } from "./memory/presence";
import { createMemoryPubSub } from "./memory/pubsub";
import { resolveBusOptions } from "./options";
import type { Bus, BusOptions } from "./types";

export { createMemoryHub, type MemoryHub };

export interface MemoryBusOptions extends BusOptions {
  /**
   * State shared with other memory buses, as processes share one Redis: buses on the same hub
   * see each other's publishes, jobs, buffers and keys (namespaces still apply).
   * @default a hub of its own
   */
  hub?: MemoryHub;
}

/**
 * The in-process bus, for the one-process `pnpm start` and for tests: the same semantics as the
 * Redis bus (asynchronous in-order delivery, consumer-group jobs with pending entries and
 * delivery counts, capped expiring buffers, expiring keys), with nothing shared across processes.
 */
export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const { prefix, jobStream, jobGroup, onError } = resolveBusOptions(options);
  const hub = options.hub ?? createMemoryHub();
  const life = new Lifecycle("memory");
  const closing = new AbortController();
  const pubsub = createMemoryPubSub(hub, life, prefix, onError);
  const buffers = createMemoryBuffers(hub, life, (streamId) => prefix + streamId, pubsub);

  return {
    kind: "memory",
    pubsub,
    jobs: createMemoryJobs({ hub, life, closing: closing.signal, stream: jobStream, group: jobGroup }),
    buffers,
    kv: createMemoryKv(hub, life, (key) => prefix + key),
    presence: createMemoryPresence(hub, life, (key) => prefix + key),
    keyPrefix: prefix,
    async ping() {
      life.assertOpen();
    },
    async close() {
      if (life.closed) return;
      life.markClosed();
      closing.abort();
      pubsub.close();
    },
  };
}
