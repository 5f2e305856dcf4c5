/** Redis-only behaviour: reconnects, outages, a stream deleted under the queue. */
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { collector, received } from "./contract/fixture";
import { createRedisBus, type RedisBusOptions } from "./redis-bus";
import { deleteNamespace, randomNamespace } from "./testing";
import type { Bus } from "./types";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const admin = new Redis(redisUrl);
const opened: Array<{ bus: Bus; namespace: string }> = [];

function redisBus(options: RedisBusOptions = {}, url = redisUrl): { bus: Bus; namespace: string } {
  const namespace = randomNamespace();
  const bus = createRedisBus(url, { namespace, connectionName: namespace, ...options });
  opened.push({ bus, namespace });
  return { bus, namespace };
}

afterEach(async () => {
  for (const { bus, namespace } of opened.splice(0)) {
    await bus.close();
    await deleteNamespace(redisUrl, namespace);
  }
});
afterAll(() => admin.disconnect());

describe("redis bus", () => {
  it("re-subscribes after its subscriber connection is killed", async () => {
    const { bus, namespace } = redisBus();
    const got = collector();
    await bus.pubsub.subscribe("chat:session:s1", got.listener);
    // Kill only this bus's subscriber (CLIENT KILL TYPE pubsub would also hit the subscribers
    // of every other suite running against this Redis).
    const clients = String(await admin.call("CLIENT", "LIST", "TYPE", "PUBSUB"));
    const line = clients.split("\n").find((l) => l.includes(` name=${namespace}:subscriber `));
    const id = /\bid=(\d+)/.exec(line ?? "")?.[1];
    expect(id).toBeDefined();
    await admin.client("KILL", "ID", String(id));

    const channel = `${namespace}:chat:session:s1`;
    await vi.waitFor(
      async () => {
        const [, count] = await admin.pubsub("NUMSUB", channel);
        const current = String(await admin.call("CLIENT", "LIST", "TYPE", "PUBSUB"));
        if (Number(count) !== 1 || current.includes(`id=${id} `)) throw new Error("not re-subscribed yet");
      },
      { timeout: 5_000, interval: 20 },
    );
    await bus.pubsub.publish("chat:session:s1", "after reconnect");
    await received(got.messages, 1);
    expect(got.messages).toEqual(["after reconnect"]);
    expect(bus.pubsub.subscribedChannelCount()).toBe(1);
    await bus.ping();
  });

  it("rejects commands while Redis is unreachable instead of hanging", async () => {
    const errors: unknown[] = [];
    // Port 1: nothing listens, so every connect fails like an outage.
    const { bus } = redisBus(
      { maxRetriesPerRequest: 1, onError: (error) => errors.push(error) },
      "redis://127.0.0.1:1",
    );
    await expect(bus.kv.get("k")).rejects.toThrow();
    await expect(bus.ping()).rejects.toThrow();
    expect(errors.length).toBeGreaterThan(0);
  });

  it("fails only the frame whose buffer cannot be stored, and does not publish it", async () => {
    const { bus, namespace } = redisBus();
    const got = collector();
    await bus.pubsub.subscribe("chat:session:s1", got.listener);
    await admin.set(`${namespace}:chat:stream:bad`, "not a stream");
    const [bad, good] = await Promise.allSettled([
      bus.buffers.appendAndPublish("chat:stream:bad", "chat:session:s1", "lost"),
      bus.buffers.appendAndPublish("chat:stream:good", "chat:session:s1", "kept"),
    ]);
    expect(bad).toMatchObject({
      status: "rejected",
      reason: expect.objectContaining({ message: expect.stringMatching(/WRONGTYPE/) }),
    });
    expect(good).toMatchObject({ status: "fulfilled" });
    await received(got.messages, 1);
    expect(got.messages).toEqual(["kept"]);
    expect((await bus.buffers.read("chat:stream:good")).map((e) => e.data)).toEqual(["kept"]);
    expect(await admin.pttl(`${namespace}:chat:stream:good`)).toBeGreaterThan(0);
  });

  it("recreates the consumer group when the job stream was deleted", async () => {
    const { bus, namespace } = redisBus();
    await bus.jobs.enqueue("first");
    expect(await bus.jobs.read({ consumer: "w1", blockMs: 0 })).toHaveLength(1);
    await admin.del(`${namespace}:chat:jobs`);
    await bus.jobs.enqueue("second");
    const [job] = await bus.jobs.read({ consumer: "w1", blockMs: 0 });
    expect(job?.payload).toBe("second");
    expect(await bus.jobs.pendingCount()).toBe(1);
  });

  it("uses the jobStream and jobGroup options", async () => {
    const { bus, namespace } = redisBus({ jobStream: "custom:jobs", jobGroup: "custom-group" });
    await bus.jobs.enqueue("x");
    await bus.jobs.read({ consumer: "w1", blockMs: 0 });
    const groups = (await admin.xinfo("GROUPS", `${namespace}:custom:jobs`)) as unknown[][];
    expect(groups.map((group) => group[1])).toEqual(["custom-group"]);
  });
});
