import { createTestBus, randomNamespace } from "@chat/bus/testing";
import { createStaticAgentRegistry, encodeJob, silentLogger } from "@chat/core";
import { createRepository } from "@chat/db";
import { createTestDatabase } from "@chat/db/testing";
import type { ServerFrame } from "@chat/protocol";
import { describe, expect, it } from "vitest";
import { createBackends, createStreamWorker } from "../src";

function collect(frames: ServerFrame[]) {
  return (payload: string) => {
    frames.push(JSON.parse(payload) as ServerFrame);
  };
}

async function until(check: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("dead-lettering", { timeout: 60_000 }, () => {
  it("gives up after maxDeliveries with one stored error reply, even if no delivery created the row", async () => {
    await using database = await createTestDatabase();
    await using bus = createTestBus({ namespace: randomNamespace(), cleanup: true });
    const repo = createRepository(database);
    const session = await repo.createSession({ userId: "alice", agentId: 1 });
    const { message } = await repo.appendMessage({
      sessionId: session.sessionId,
      senderType: "user",
      senderId: "alice",
      messageType: "text",
      content: "doomed",
    });
    const replyId = "msg_deadletter";
    await bus.jobs.enqueue(
      encodeJob({
        kind: "reply",
        session_id: session.sessionId,
        user_message_id: message.messageId,
        reply_message_id: replyId,
        agent_id: 1,
        trace_id: null,
        enqueued_at: new Date().toISOString(),
      }),
    );
    // A consumer that takes the job and dies without a trace: delivery 1, never acked.
    expect(await bus.jobs.read({ consumer: "ghost", count: 1, blockMs: 0 })).toHaveLength(1);
    const frames: ServerFrame[] = [];
    const unsubscribe = await bus.pubsub.subscribe(`chat:session:${session.sessionId}`, collect(frames));
    const worker = createStreamWorker({
      repo,
      bus,
      agents: createStaticAgentRegistry(),
      logger: silentLogger(),
      consumer: "survivor",
      claimIdleMs: 100,
      maxDeliveries: 1,
      blockMs: 100,
      backends: createBackends({ delayMs: 1 }),
    });
    worker.start();
    try {
      await until(() => frames.some((f) => f.type === "stream_end"));
      expect(frames.find((f) => f.type === "error")).toMatchObject({ code: "AGENT_ERROR", ref: replyId });
      expect(frames.find((f) => f.type === "stream_end")).toMatchObject({
        finish_reason: "error",
        message_id: replyId,
      });
      expect(await repo.getMessage(replyId)).toMatchObject({ status: "error", senderType: "agent" });
      expect(await bus.jobs.pendingCount()).toBe(0);
      // The ended reply's buffer is kept for late resumers for bufferTtlSeconds (300 s), not the
      // hour a buffer of a running reply gets.
      const ttl = await bus.redis?.pttl(`${bus.keyPrefix}chat:stream:${replyId}`);
      if (bus.kind === "redis") expect(ttl).toBeGreaterThan(290_000);
      if (bus.kind === "redis") expect(ttl).toBeLessThanOrEqual(300_000);
    } finally {
      await unsubscribe();
      await worker.close();
    }
  });
});
