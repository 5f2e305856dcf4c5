import { describe, expect, it } from "vitest";
import { collector, received } from "./contract/fixture";
import { createBus } from "./index";
import { createTestBus, randomNamespace } from "./testing";

describe("createTestBus", () => {
  it("gives buses sharing a namespace one bus, and others none of it", async () => {
    const namespace = randomNamespace();
    await using edge = createTestBus({ namespace });
    await using worker = createTestBus({ namespace });
    await using stranger = createTestBus();
    expect(edge.kind).toBe(process.env.REDIS_URL ? "redis" : "memory");
    const got = collector();
    await worker.pubsub.subscribe("c", got.listener);
    await edge.pubsub.publish("c", "hello");
    await received(got.messages, 1);
    await edge.kv.set("k", "v");
    expect(await worker.kv.get("k")).toBe("v");
    expect(await stranger.kv.get("k")).toBeNull();
    await edge.kv.del("k");
  });
});

describe("createBus", () => {
  it("picks the memory bus without a url and the redis bus with one", async () => {
    const memory = createBus({});
    const redis = createBus({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", namespace: randomNamespace() });
    expect([memory.kind, redis.kind]).toEqual(["memory", "redis"]);
    await redis.ping();
    await Promise.all([memory.close(), redis.close()]);
  });
});
