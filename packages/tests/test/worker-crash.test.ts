import { createTestBus, randomNamespace } from "@chat/bus/testing";
import { createChatService } from "@chat/core";
import { createRepository } from "@chat/db";
import { createTestDatabase } from "@chat/db/testing";
import type { ServerFrame } from "@chat/protocol";
import { demoReplyText } from "@chat/stream-worker";
import { describe, expect, it } from "vitest";
import { eventually } from "../src/files";
import { type AppProcess, spawnApp } from "../src/processes";

// Workers are separate processes sharing PostgreSQL and Redis: only the real-servers pass has a
// bus that crosses processes.
const realServers = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.skipIf(!realServers)("a stream-worker process killed mid-reply", () => {
  it("is replaced: the reply restarts as attempt 2 on another worker and completes once", {
    timeout: 60_000,
  }, async () => {
    await using database = await createTestDatabase({ maxConnections: 4 });
    const namespace = randomNamespace();
    await using bus = createTestBus({ namespace, cleanup: true });
    // The workers as their container runs them (apps/stream-worker/src/main.ts), on this
    // test's database and key prefix; the demo agent streams one character every 15 ms.
    const env = {
      DATABASE_URL: database.url ?? "",
      REDIS_URL: process.env.REDIS_URL ?? "",
      REDIS_KEY_PREFIX: namespace,
      STREAM_CHUNK_SIZE: "1",
      STREAM_DELAY_MS: "15",
      STREAM_CLAIM_IDLE_MS: "800",
      LOG_LEVEL: "warn",
    };
    const workers: AppProcess[] = [];
    try {
      const repo = createRepository(database);
      const chat = createChatService({ repo, bus });
      const session = await repo.createSession({ userId: "alice", agentId: 1 });
      const frames: ServerFrame[] = [];
      const unsubscribe = await bus.pubsub.subscribe(`chat:session:${session.sessionId}`, (payload) => {
        frames.push(JSON.parse(payload) as ServerFrame);
      });

      const doomed = await spawnApp("stream-worker", env);
      workers.push(doomed);
      const { replyMessageId } = await chat.postUserMessage({ session, userId: "alice", content: "survive a crash" });
      await eventually(() => frames.filter((f) => f.type === "stream_chunk").length >= 5, 15_000);
      await doomed.stop("SIGKILL");
      expect(frames.some((f) => f.type === "stream_end")).toBe(false);
      expect((await repo.getMessage(replyMessageId as string))?.status).toBe("streaming");

      workers.push(await spawnApp("stream-worker", env));
      await eventually(() => frames.some((f) => f.type === "stream_end"), 30_000);
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
    } finally {
      await Promise.all(workers.map((worker) => worker.stop("SIGTERM")));
    }
  });
});
