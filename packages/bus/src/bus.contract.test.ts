/**
 * One contract, both implementations. The Redis variant always runs (Redis is on every
 * machine and in CI); each test gets a random namespace, deleted afterwards.
 * Memory buses of a test share one hub, which is how two "processes" meet in memory.
 */
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, describe } from "vitest";
import type { ContractFixture } from "./contract/fixture";
import { jobsContract } from "./contract/jobs.contract";
import { presenceContract } from "./contract/presence.contract";
import { pubsubContract } from "./contract/pubsub.contract";
import { storageContract } from "./contract/storage.contract";
import { createMemoryBus, createMemoryHub, type MemoryHub } from "./memory-bus";
import { createRedisBus } from "./redis-bus";
import { deleteNamespace, randomNamespace } from "./testing";
import type { Bus, BusOptions } from "./types";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

type BusFactory = (namespace: string, options: BusOptions, hub: MemoryHub) => Bus;

const factories: Array<{ kind: "memory" | "redis"; create: BusFactory }> = [
  { kind: "memory", create: (namespace, options, hub) => createMemoryBus({ ...options, namespace, hub }) },
  {
    kind: "redis",
    create: (namespace, options) => createRedisBus(redisUrl, { ...options, namespace, connectionName: namespace }),
  },
];

describe.each(factories)("$kind bus", ({ kind, create }) => {
  let namespace = "";
  let hub = createMemoryHub();
  const opened: Bus[] = [];
  const namespaces = new Set<string>();
  const admin = kind === "redis" ? new Redis(redisUrl, { lazyConnect: true }) : undefined;

  beforeEach(() => {
    namespace = randomNamespace();
    hub = createMemoryHub();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((bus) => bus.close()));
    if (kind === "redis") await Promise.all([...namespaces].map((ns) => deleteNamespace(redisUrl, ns)));
    namespaces.clear();
  });

  afterAll(() => admin?.disconnect());

  const fixture: ContractFixture = {
    kind,
    bus(options = {}) {
      const ns = options.namespace === undefined ? namespace : `${namespace}-${options.namespace}`;
      namespaces.add(ns);
      const bus = create(ns, options.onError ? { onError: options.onError } : {}, hub);
      opened.push(bus);
      return bus;
    },
    ...(admin && {
      async remoteSubscribers(channel: string) {
        const reply = await admin.pubsub("NUMSUB", `${namespace}:${channel}`);
        return Number(reply[1]);
      },
    }),
  };

  describe("pub/sub", () => pubsubContract(fixture));
  describe("jobs", () => jobsContract(fixture));
  describe("buffers, keys, lifecycle", () => storageContract(fixture));
  describe("presence", () => presenceContract(fixture));
});
