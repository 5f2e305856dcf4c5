import { expect, it, vi } from "vitest";
import { keys } from "../channels";
import { BusClosedError } from "../errors";
import { type ContractFixture, collector, received, sleep } from "./fixture";

/** Stream buffers, keys and the bus lifecycle. */
const m1 = keys.streamBuffer("m1");

export function storageContract(f: ContractFixture): void {
  it("appends to a stream buffer and reads all of it or after an id", async () => {
    const bus = f.bus();
    const ids = [];
    for (const chunk of ["a", "b", "c"]) ids.push(await bus.buffers.append(m1, chunk));
    expect(await bus.buffers.read(m1)).toEqual([
      { id: ids[0], data: "a" },
      { id: ids[1], data: "b" },
      { id: ids[2], data: "c" },
    ]);
    expect((await bus.buffers.read(m1, ids[0])).map((e) => e.data)).toEqual(["b", "c"]);
    expect(await bus.buffers.read(m1, ids[2])).toEqual([]);
    expect(await bus.buffers.read("unknown")).toEqual([]);
    expect(await f.bus({ namespace: "other" }).buffers.read(m1)).toEqual([]);
  });

  it("appends and publishes in one call: a subscriber's frame is already in the buffer", async () => {
    const bus = f.bus();
    const reader = f.bus();
    const got = collector();
    const found: string[][] = [];
    await reader.pubsub.subscribe("chat:session:s1", (payload, channel) => {
      got.listener(payload, channel);
      void reader.buffers.read(m1).then((entries) => found.push(entries.map((e) => e.data)));
    });
    const ids = [];
    for (const chunk of ["a", "b", "c"]) ids.push(await bus.buffers.appendAndPublish(m1, "chat:session:s1", chunk));
    await received(got.messages, 3);
    expect(got.messages).toEqual(["a", "b", "c"]);
    expect(got.channels).toEqual(["chat:session:s1", "chat:session:s1", "chat:session:s1"]);
    await vi.waitFor(() => expect(found).toHaveLength(3));
    for (const [i, entries] of found.entries())
      expect(entries.slice(0, i + 1)).toEqual(["a", "b", "c"].slice(0, i + 1));
    expect((await bus.buffers.read(m1, ids[0])).map((e) => e.data)).toEqual(["b", "c"]);
    expect(await f.bus({ namespace: "other" }).buffers.read(m1)).toEqual([]);
  });

  it("keeps each stream's order when many streams append and publish at once", async () => {
    const bus = f.bus();
    const reader = f.bus();
    const got = collector();
    await reader.pubsub.subscribe("chat:session:many", got.listener);
    const streams = ["s1", "s2", "s3"].map((id) => keys.streamBuffer(id));
    // 300 frames issued in one tick: more than one batch's worth on Redis.
    const calls = Array.from({ length: 100 }, (_, i) =>
      streams.map((stream) => bus.buffers.appendAndPublish(stream, "chat:session:many", `${stream}|${i}`)),
    ).flat();
    const ids = await Promise.all(calls);
    expect(ids.every((id) => typeof id === "string" && id !== "")).toBe(true);
    await received(got.messages, 300);
    for (const stream of streams) {
      const expected = Array.from({ length: 100 }, (_, i) => `${stream}|${i}`);
      expect(got.messages.filter((m) => m.startsWith(`${stream}|`))).toEqual(expected);
      const entries = await bus.buffers.read(stream);
      expect(entries.map((e) => e.data)).toEqual(expected);
      expect(entries.map((e) => e.id)).toEqual(ids.filter((_, i) => i % 3 === streams.indexOf(stream)));
    }
  });

  it("trims a stream buffer to about maxLen, dropping the oldest", async () => {
    const bus = f.bus();
    const total = 250;
    for (let i = 0; i < total; i++) await bus.buffers.append(m1, String(i), { maxLen: 10 });
    const kept = (await bus.buffers.read(m1)).map((e) => Number(e.data));
    // Redis trims whole stream nodes (`MAXLEN ~`): at least maxLen stay, fewer than all.
    expect(kept.length).toBeGreaterThanOrEqual(10);
    expect(kept.length).toBeLessThan(total);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => total - kept.length + i));
  });

  it("expires a stream buffer after its ttl, or after expire()", async () => {
    const bus = f.bus();
    await bus.buffers.append("short", "x", { ttlSeconds: 0.1 });
    await bus.buffers.append("ended", "y");
    await bus.buffers.expire("ended", 0.1);
    expect(await bus.buffers.read("short")).toHaveLength(1);
    await sleep(200);
    expect(await bus.buffers.read("short")).toEqual([]);
    expect(await bus.buffers.read("ended")).toEqual([]);
  });

  it("gets, sets, expires and deletes keys", async () => {
    const bus = f.bus();
    expect(await bus.kv.get("k")).toBeNull();
    await bus.kv.set("k", "v");
    await bus.kv.set("brief", "v", 0.1);
    expect(await bus.kv.get("k")).toBe("v");
    expect(await bus.kv.get("brief")).toBe("v");
    expect(await f.bus({ namespace: "other" }).kv.get("k")).toBeNull();
    await sleep(200);
    expect(await bus.kv.get("brief")).toBeNull();
    await bus.kv.del("k");
    expect(await bus.kv.get("k")).toBeNull();
    await expect(bus.kv.set("k", "v", 0)).rejects.toThrow(RangeError);
  });

  it("adds and removes set members, refreshing the set's expiry", async () => {
    const bus = f.bus();
    await bus.kv.sadd("ws:connections:u1", ["c1", "c2"]);
    await bus.kv.sadd("ws:connections:u1", ["c2", "c3"]);
    expect((await bus.kv.smembers("ws:connections:u1")).sort()).toEqual(["c1", "c2", "c3"]);
    await bus.kv.srem("ws:connections:u1", ["c1", "c3"]);
    expect(await bus.kv.smembers("ws:connections:u1")).toEqual(["c2"]);
    await bus.kv.srem("ws:connections:u1", ["c2"]);
    expect(await bus.kv.smembers("ws:connections:u1")).toEqual([]);

    await bus.kv.sadd("ws:sessions:s1", ["u1"], 0.25);
    await sleep(150);
    await bus.kv.sadd("ws:sessions:s1", ["u2"], 0.25); // refresh: lives 0.25 s from now
    await sleep(150);
    expect((await bus.kv.smembers("ws:sessions:s1")).sort()).toEqual(["u1", "u2"]);
    await sleep(200);
    expect(await bus.kv.smembers("ws:sessions:s1")).toEqual([]);
  });

  it("pings, closes idempotently, and refuses calls after close", async () => {
    const bus = f.bus();
    await bus.ping();
    const off = await bus.pubsub.subscribe("c", () => {});
    await Promise.all([bus.close(), bus.close()]);
    await bus.close();
    await off(); // the subscription went with the bus; leaving it is not an error
    expect(bus.pubsub.subscribedChannelCount()).toBe(0);
    await expect(bus.ping()).rejects.toThrow(BusClosedError);
    await expect(bus.pubsub.publish("c", "x")).rejects.toThrow(BusClosedError);
    await expect(bus.pubsub.subscribe("c", () => {})).rejects.toThrow(BusClosedError);
    await expect(bus.jobs.enqueue("x")).rejects.toThrow(BusClosedError);
    await expect(bus.jobs.read({ consumer: "w" })).rejects.toThrow(BusClosedError);
    await expect(bus.buffers.read(m1)).rejects.toThrow(BusClosedError);
    await expect(bus.kv.get("k")).rejects.toThrow(BusClosedError);
  });
}
