import { expect, it } from "vitest";
import { type ContractFixture, collector, flush, received } from "./fixture";

/** Pub/sub: ordering, reference counting, isolation. */
export function pubsubContract(f: ContractFixture): void {
  it("delivers publishes asynchronously, in order, with the un-prefixed channel name", async () => {
    const bus = f.bus();
    const got = collector();
    await bus.pubsub.subscribe("chat:session:s1", got.listener);
    const first = bus.pubsub.publish("chat:session:s1", "0");
    expect(got.messages).toEqual([]); // not inside publish()
    await first;
    for (let i = 1; i < 30; i++) await bus.pubsub.publish("chat:session:s1", String(i));
    await received(got.messages, 30);
    expect(got.messages).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
    expect(new Set(got.channels)).toEqual(new Set(["chat:session:s1"]));
  });

  it("subscribes a channel once for many listeners and unsubscribes with the last", async () => {
    const bus = f.bus();
    const a = collector();
    const b = collector();
    const offA = await bus.pubsub.subscribe("c", a.listener);
    const offB = await bus.pubsub.subscribe("c", b.listener);
    expect(bus.pubsub.subscribedChannelCount()).toBe(1);

    await offA();
    await offA(); // idempotent: must not take b's reference with it
    expect(bus.pubsub.subscribedChannelCount()).toBe(1);
    await bus.pubsub.publish("c", "still here");
    await received(b.messages, 1);
    expect(a.messages).toEqual([]);

    await offB();
    expect(bus.pubsub.subscribedChannelCount()).toBe(0);
    if (f.remoteSubscribers) expect(await f.remoteSubscribers("c")).toBe(0);
    const marker = collector();
    await bus.pubsub.subscribe("marker", marker.listener);
    await bus.pubsub.publish("c", "gone");
    await flush(bus, "marker", marker.messages);
    expect(b.messages).toEqual(["still here"]);
  });

  it("keeps concurrent subscribes and unsubscribes of one channel consistent", async () => {
    const bus = f.bus();
    // Many listeners arriving and leaving at once must end with no subscription...
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const off = await bus.pubsub.subscribe("busy", () => {});
        await off();
      }),
    );
    expect(bus.pubsub.subscribedChannelCount()).toBe(0);
    if (f.remoteSubscribers) expect(await f.remoteSubscribers("busy")).toBe(0);

    // ...and a listener arriving while the last one leaves must not lose its subscription.
    const first = await bus.pubsub.subscribe("busy", () => {});
    const got = collector();
    const [, off] = await Promise.all([first(), bus.pubsub.subscribe("busy", got.listener)]);
    expect(bus.pubsub.subscribedChannelCount()).toBe(1);
    if (f.remoteSubscribers) expect(await f.remoteSubscribers("busy")).toBe(1);
    await bus.pubsub.publish("busy", "kept");
    await received(got.messages, 1);
    await off();
    expect(bus.pubsub.subscribedChannelCount()).toBe(0);
  });

  it("keeps delivering to other listeners when one throws", async () => {
    const errors: unknown[] = [];
    const bus = f.bus({ onError: (error, source) => errors.push([source, error]) });
    const got = collector();
    await bus.pubsub.subscribe("c", () => {
      throw new Error("listener bug");
    });
    await bus.pubsub.subscribe("c", async () => {
      throw new Error("async listener bug");
    });
    await bus.pubsub.subscribe("c", got.listener);
    await bus.pubsub.publish("c", "1");
    await bus.pubsub.publish("c", "2");
    await received(got.messages, 2);
    expect(got.messages).toEqual(["1", "2"]);
    await received(errors as string[], 4);
    expect(errors.every((e) => (e as unknown[])[0] === "listener")).toBe(true);
  });

  it("delivers between two buses in the same namespace", async () => {
    const edge = f.bus();
    const worker = f.bus();
    const got = collector();
    await worker.pubsub.subscribe("chat:control:m1", got.listener);
    await edge.pubsub.publish("chat:control:m1", "cancel");
    await received(got.messages, 1);
    expect(got.messages).toEqual(["cancel"]);
  });

  it("isolates namespaces", async () => {
    const mine = f.bus();
    const other = f.bus({ namespace: "other" });
    const got = collector();
    await mine.pubsub.subscribe("c", got.listener);
    await other.pubsub.publish("c", "not for me");
    await mine.pubsub.publish("c", "for me");
    // The other publish was done first, so had it leaked it would have arrived first.
    await received(got.messages, 1);
    expect(got.messages).toEqual(["for me"]);
  });
}
