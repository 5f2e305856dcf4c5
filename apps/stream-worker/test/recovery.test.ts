import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTestBus, randomNamespace } from "@chat/bus/testing";
import { createChatService, createStaticAgentRegistry, encodeJob, silentLogger } from "@chat/core";
import { createRepository } from "@chat/db";
import { createTestDatabase } from "@chat/db/testing";
import type { ServerFrame } from "@chat/protocol";
import { describe, expect, it } from "vitest";
import { createBackends, createStreamWorker, demoReplyText } from "../src";

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

const realServers = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe("crash recovery across processes", () => {
  it.skipIf(!realServers)(
    "a worker killed with SIGKILL mid-stream is replaced; the reply restarts as attempt 2 and completes once",
    { timeout: 60_000 },
    async () => {
      const database = await createTestDatabase({ maxConnections: 4 });
      const url = database.url as string;
      const namespace = randomNamespace();
      const bus = createTestBus({ namespace, cleanup: true });
      const children: ChildProcess[] = [];
      const startChild = async (consumer: string) => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", fileURLToPath(new URL("./worker-child.ts", import.meta.url))],
          {
            env: {
              ...process.env,
              CHILD_DATABASE_URL: url,
              CHILD_NAMESPACE: namespace,
              CHILD_CONSUMER: consumer,
              STREAM_CLAIM_IDLE_MS: "800",
              STREAM_DELAY_MS: "15",
            },
            stdio: ["ignore", "pipe", "inherit"],
          },
        );
        children.push(child);
        await new Promise<void>((resolve, reject) => {
          child.stdout?.on("data", (data: Buffer) => {
            if (data.toString().includes("ready")) resolve();
          });
          child.once("exit", (code) => reject(new Error(`worker child exited with ${code}`)));
        });
        return child;
      };
      try {
        const repo = createRepository(database);
        const chat = createChatService({ repo, bus });
        const session = await repo.createSession({ userId: "alice", agentId: 1 });
        const frames: ServerFrame[] = [];
        const unsubscribe = await bus.pubsub.subscribe(`chat:session:${session.sessionId}`, collect(frames));

        const first = await startChild("doomed");
        const { replyMessageId } = await chat.postUserMessage({ session, userId: "alice", content: "survive a crash" });
        await until(() => frames.filter((f) => f.type === "stream_chunk").length >= 5);
        first.kill("SIGKILL");
        await new Promise((resolve) => first.once("exit", resolve));
        expect(frames.some((f) => f.type === "stream_end")).toBe(false);
        expect((await repo.getMessage(replyMessageId as string))?.status).toBe("streaming");

        const second = await startChild("rescuer");
        await until(() => frames.some((f) => f.type === "stream_end"), 30_000);
        const starts = frames.filter((f) => f.type === "stream_start");
        expect(starts.map((f) => (f.type === "stream_start" ? f.attempt : 0))).toEqual([1, 2]);
        const end = frames.find((f) => f.type === "stream_end");
        expect(end).toMatchObject({ finish_reason: "stop", attempt: 2, message_id: replyMessageId });
        const attempt2 = frames.filter((f) => f.type === "stream_chunk" && f.attempt === 2);
        expect(attempt2.map((f) => (f.type === "stream_chunk" ? f.content : "")).join("")).toBe(
          demoReplyText("survive a crash"),
        );
        const stored = await repo.getMessage(replyMessageId as string);
        expect(stored).toMatchObject({ status: "complete", content: demoReplyText("survive a crash") });
        const page = await repo.pageMessages(session.sessionId, { limit: 50 });
        expect(page.messages.filter((m) => m.senderType === "agent")).toHaveLength(1);
        expect(await bus.jobs.pendingCount()).toBe(0);
        await unsubscribe();
        second.kill("SIGTERM");
        await new Promise((resolve) => second.once("exit", resolve));
      } finally {
        for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await bus.close();
        await database.close();
      }
    },
  );
  it.skipIf(realServers)(
    "needs real PostgreSQL and Redis (DATABASE_URL, REDIS_URL): no shared bus across processes in embedded mode",
    () => {},
  );
});
