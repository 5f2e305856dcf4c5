/**
 * Test fixtures (`@chat/bus/testing`): a bus on the real Redis when the machine has one
 * (`REDIS_URL` set), the in-process bus otherwise, so one suite runs both ways.
 * The only module of this package that reads `process.env`.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { createMemoryHub } from "./memory/hub";
import { createMemoryBus } from "./memory-bus";
import { namespacePrefix } from "./options";
import { createRedisBus } from "./redis-bus";
import type { Bus } from "./types";

/** A namespace no other test uses, e.g. `test-3f9a1c2b7d`. */
export function randomNamespace(): string {
  return `test-${randomBytes(5).toString("hex")}`;
}

export interface TestBusOptions {
  /**
   * Share a namespace between buses (e.g. an edge's and a worker's in one test).
   * @default a random one, deleted from Redis when the bus is disposed
   */
  namespace?: string;
  /**
   * Delete the namespace's keys and streams when this bus is disposed (give it to the one bus that
   * owns a shared namespace). @default true when the namespace was generated here
   */
  cleanup?: boolean;
}

/** Memory test buses in the same namespace share state, like processes sharing one Redis. */
const sharedHub = createMemoryHub();

/**
 * A bus for one test: `await using bus = createTestBus()`. Disposing closes it and (see
 * `cleanup`) deletes its keys, from Redis or from the shared memory hub.
 */
export function createTestBus(options: TestBusOptions = {}): Bus & AsyncDisposable {
  const namespace = options.namespace ?? randomNamespace();
  const url = process.env.REDIS_URL;
  const bus = url
    ? createRedisBus(url, { namespace, connectionName: namespace })
    : createMemoryBus({ namespace, hub: sharedHub });
  const cleanup = options.cleanup ?? options.namespace === undefined;
  return Object.assign(bus, {
    async [Symbol.asyncDispose]() {
      await bus.close();
      if (!cleanup) return;
      if (url) await deleteNamespace(url, namespace);
      else sharedHub.deletePrefix(namespacePrefix(namespace));
    },
  });
}

/** Deletes every Redis key under `namespace` (SCAN, so a big database is not blocked). */
export async function deleteNamespace(url: string, namespace: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    const pattern = `${namespacePrefix(namespace).replace(/[*?[\]\\]/g, "\\$&")}*`;
    let cursor = "0";
    do {
      const [next, found] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
      cursor = next;
      if (found.length > 0) await redis.unlink(...found);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
