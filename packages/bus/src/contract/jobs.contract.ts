import { expect, it } from "vitest";
import { type ContractFixture, sleep } from "./fixture";

/** The job queue: consumer-group delivery, blocking reads, stale claims, counters. */
export function jobsContract(f: ContractFixture): void {
  it("enqueues, reads in order once, and acks", async () => {
    const bus = f.bus();
    const a = await bus.jobs.enqueue("job-a");
    const b = await bus.jobs.enqueue("job-b");
    expect(await bus.jobs.backlog()).toBe(2);

    const jobs = await bus.jobs.read({ consumer: "w1", count: 10, blockMs: 100 });
    expect(jobs).toEqual([
      { id: a, payload: "job-a", deliveries: 1 },
      { id: b, payload: "job-b", deliveries: 1 },
    ]);
    expect(await bus.jobs.backlog()).toBe(0);
    expect(await bus.jobs.pendingCount()).toBe(2);
    // Delivered jobs are never handed out again by read, to this consumer or another.
    expect(await bus.jobs.read({ consumer: "w2", blockMs: 0 })).toEqual([]);

    await bus.jobs.ack(a);
    await bus.jobs.ack(b);
    expect(await bus.jobs.pendingCount()).toBe(0);
    expect(await bus.jobs.backlog()).toBe(0);
  });

  it("enqueueOnce appends one job per key, however often and from however many buses", async () => {
    const [one, two] = [f.bus(), f.bus()];
    const ids = await Promise.all([
      one.jobs.enqueueOnce("once:a", 60, "job-a"),
      two.jobs.enqueueOnce("once:a", 60, "job-a"),
      one.jobs.enqueueOnce("once:a", 60, "job-a"),
    ]);
    expect(ids.filter((id) => id !== undefined)).toHaveLength(1);
    expect(await one.jobs.enqueueOnce("once:b", 60, "job-b")).toEqual(expect.any(String));
    const jobs = await one.jobs.read({ consumer: "w1", count: 10, blockMs: 100 });
    expect(jobs.map((job) => job.payload)).toEqual(["job-a", "job-b"]);
  });

  it("respects count and shares jobs between workers of two buses", async () => {
    const producer = f.bus();
    const worker = f.bus();
    for (const payload of ["1", "2", "3"]) await producer.jobs.enqueue(payload);
    const first = await worker.jobs.read({ consumer: "w1", count: 2, blockMs: 100 });
    const second = await producer.jobs.read({ consumer: "w2", count: 2, blockMs: 100 });
    expect(first.map((job) => job.payload)).toEqual(["1", "2"]);
    expect(second.map((job) => job.payload)).toEqual(["3"]);
    expect(await worker.jobs.pendingCount()).toBe(3);
    expect(await worker.jobs.backlog()).toBe(0);
  });

  it("blocks for blockMs, then returns []", async () => {
    const bus = f.bus();
    const started = Date.now();
    expect(await bus.jobs.read({ consumer: "w1", blockMs: 150 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("wakes a blocked read when a job arrives", async () => {
    const bus = f.bus();
    const producer = f.bus();
    const reading = bus.jobs.read({ consumer: "w1", blockMs: 5_000 });
    await sleep(50);
    const id = await producer.jobs.enqueue("late");
    expect(await reading).toEqual([{ id, payload: "late", deliveries: 1 }]);
  });

  it("serves concurrent blocked reads on one bus", async () => {
    const bus = f.bus();
    const reads = [1, 2, 3].map((n) => bus.jobs.read({ consumer: `w${n}`, blockMs: 5_000 }));
    await sleep(50);
    for (const payload of ["x", "y", "z"]) await bus.jobs.enqueue(payload);
    const results = await Promise.all(reads);
    expect(results.map((jobs) => jobs.length)).toEqual([1, 1, 1]);
    expect(
      results
        .flat()
        .map((job) => job.payload)
        .sort(),
    ).toEqual(["x", "y", "z"]);
  });

  it("lets another consumer claim a job left unacked past minIdleMs, counting deliveries", async () => {
    const bus = f.bus();
    const id = await bus.jobs.enqueue("work");
    await bus.jobs.enqueue("other work");
    const [taken] = await bus.jobs.read({ consumer: "dead-worker", blockMs: 100 });
    expect(taken?.id).toBe(id);

    expect(await bus.jobs.claimStale({ consumer: "w2", minIdleMs: 200 })).toEqual([]);
    await sleep(250);
    expect(await bus.jobs.claimStale({ consumer: "w2", minIdleMs: 200 })).toEqual([
      { id, payload: "work", deliveries: 2 },
    ]);
    // Claiming reset the idle time; once idle again a third worker takes it over.
    expect(await bus.jobs.claimStale({ consumer: "w3", minIdleMs: 200 })).toEqual([]);
    await sleep(250);
    const [again] = await bus.jobs.claimStale({ consumer: "w3", minIdleMs: 200 });
    expect(again).toEqual({ id, payload: "work", deliveries: 3 });

    expect(await bus.jobs.pendingCount()).toBe(1);
    expect(await bus.jobs.backlog()).toBe(1);
    await bus.jobs.ack(id);
    expect(await bus.jobs.pendingCount()).toBe(0);
    expect(await bus.jobs.claimStale({ consumer: "w4", minIdleMs: 0 })).toEqual([]);
  });

  it("touch keeps a running job from being claimed, without counting a delivery, and only for its owner", async () => {
    const bus = f.bus();
    const id = await bus.jobs.enqueue("long work");
    await bus.jobs.read({ consumer: "alive", blockMs: 100 });
    await sleep(150);
    await bus.jobs.touch("alive", [id]);
    await bus.jobs.touch("someone-else", [id]); // not theirs: no effect
    await sleep(100);
    expect(await bus.jobs.claimStale({ consumer: "thief", minIdleMs: 200 })).toEqual([]);
    await sleep(150);
    // Not touched for 250 ms: now it is stale, and this is only its second delivery.
    expect(await bus.jobs.claimStale({ consumer: "thief", minIdleMs: 200 })).toEqual([
      { id, payload: "long work", deliveries: 2 },
    ]);
    // The old owner's heartbeat no longer takes it back.
    await bus.jobs.touch("alive", [id]);
    await sleep(250);
    expect(await bus.jobs.claimStale({ consumer: "third", minIdleMs: 200 })).toEqual([
      { id, payload: "long work", deliveries: 3 },
    ]);
    await bus.jobs.ack(id);
  });

  it("ends a read blocked when the bus closes with []", async () => {
    const bus = f.bus();
    const reading = bus.jobs.read({ consumer: "w1", blockMs: 5_000 });
    await sleep(50);
    await bus.close();
    expect(await reading).toEqual([]);
  });

  it("isolates namespaces", async () => {
    const mine = f.bus();
    const other = f.bus({ namespace: "other" });
    await other.jobs.enqueue("not mine");
    expect(await mine.jobs.read({ consumer: "w1", blockMs: 0 })).toEqual([]);
    expect(await mine.jobs.backlog()).toBe(0);
    expect(await other.jobs.backlog()).toBe(1);
  });
}
