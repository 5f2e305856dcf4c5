import { createTestBus, randomNamespace } from "@chat/bus/testing";
import { createChatService, createMetrics, createStaticAgentRegistry, silentLogger } from "@chat/core";
import { createRepository } from "@chat/db";
import { createTestDatabase } from "@chat/db/testing";
import type { ServerFrame } from "@chat/protocol";
import { expect, it } from "vitest";
import { createBackends, createStreamWorker, demoReplyText } from "../src";

it("records in chat_job_wait_seconds how long a reply waited for a free worker slot", async () => {
  await using database = await createTestDatabase();
  await using bus = createTestBus({ namespace: randomNamespace(), cleanup: true });
  const repo = createRepository(database);
  const chat = createChatService({ repo, bus });
  const metrics = createMetrics({ app: "stream-worker", defaultMetrics: false });
  const session = await repo.createSession({ userId: "alice", agentId: 1 });
  const frames: ServerFrame[] = [];
  const unsubscribe = await bus.pubsub.subscribe(`chat:session:${session.sessionId}`, (payload) => {
    frames.push(JSON.parse(payload) as ServerFrame);
  });
  // One slot, and a demo reply of 5 characters every 20 ms: the second reply waits for the first.
  const worker = createStreamWorker({
    repo,
    bus,
    agents: createStaticAgentRegistry(),
    logger: silentLogger(),
    metrics,
    consumer: "one-slot",
    concurrency: 1,
    blockMs: 100,
    backends: createBackends({ chunkSize: 5, delayMs: 20 }),
  });
  worker.start();
  try {
    const firstReplyMs = Math.ceil(demoReplyText("first").length / 5) * 20;
    await chat.postUserMessage({ session, userId: "alice", content: "first" });
    await chat.postUserMessage({ session, userId: "alice", content: "second" });
    const deadline = Date.now() + 15_000;
    while (frames.filter((f) => f.type === "stream_end").length < 2) {
      if (Date.now() > deadline) throw new Error("the two replies did not end");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const { values } = await metrics.jobWait.get();
    const value = (name: string, le?: number) =>
      values.find((v) => v.metricName === name && (le === undefined || v.labels.le === le))?.value;
    expect(value("chat_job_wait_seconds_count")).toBe(2);
    // The second waited about one whole reply; the first hardly at all.
    expect(value("chat_job_wait_seconds_sum")).toBeGreaterThanOrEqual((firstReplyMs * 0.8) / 1_000);
    expect(value("chat_job_wait_seconds_bucket", 0.25)).toBeGreaterThanOrEqual(1);
    expect(value("chat_job_wait_seconds_bucket", 0.25)).toBeLessThan(2);
  } finally {
    await unsubscribe();
    await worker.close();
  }
});
