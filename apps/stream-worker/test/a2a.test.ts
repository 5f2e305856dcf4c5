import { createTestBus, randomNamespace } from "@chat/bus/testing";
import { createChatService, createLogger, createStaticAgentRegistry, silentLogger } from "@chat/core";
import { createRepository } from "@chat/db";
import { createTestDatabase } from "@chat/db/testing";
import type { ServerFrame } from "@chat/protocol";
import { describe, expect, it } from "vitest";
import { createBackends, createStreamWorker } from "../src";
import { A2A_WORDS, startA2aPeer } from "./a2a-server";

async function setup() {
  const peer = await startA2aPeer();
  const database = await createTestDatabase();
  const bus = createTestBus({ namespace: randomNamespace(), cleanup: true });
  const repo = createRepository(database);
  const agents = createStaticAgentRegistry([
    { id: 7, name: "streams", logo_url: null, framework: "a2a", backend: "a2a", a2a_endpoint: peer.streamingUrl },
    { id: 8, name: "blocks", logo_url: null, framework: "a2a", backend: "a2a", a2a_endpoint: peer.blockingUrl },
    { id: 9, name: "slow", logo_url: null, framework: "a2a", backend: "a2a", a2a_endpoint: peer.slowUrl },
  ]);
  const worker = createStreamWorker({
    repo,
    bus,
    agents,
    logger: process.env.TEST_LOG ? createLogger({ name: "a2a-test", level: "debug" }) : silentLogger(),
    consumer: "a2a-test",
    blockMs: 100,
    backends: createBackends(),
  });
  worker.start();
  const chat = createChatService({ repo, bus });
  return {
    peer,
    repo,
    chat,
    /**
     * Ask agent `agentId` one question and collect the reply's frames until stream_end;
     * `during` runs once the reply's third chunk arrived.
     */
    async ask(agentId: number, content: string, during?: (replyId: string, sessionId: string) => Promise<void>) {
      const session = await repo.createSession({ userId: "alice", agentId });
      const frames: ServerFrame[] = [];
      let done: () => void = () => {};
      const ended = new Promise<void>((resolve) => {
        done = resolve;
      });
      let duringDone: Promise<void> | undefined;
      const unsubscribe = await bus.pubsub.subscribe(`chat:session:${session.sessionId}`, (payload) => {
        const frame = JSON.parse(payload) as ServerFrame;
        frames.push(frame);
        if (frame.type === "stream_chunk" && frame.index === 2 && during) {
          duringDone = during(frame.message_id, session.sessionId);
        }
        if (frame.type === "stream_end") done();
      });
      const { replyMessageId } = await chat.postUserMessage({ session, userId: "alice", content });
      await ended;
      await duringDone;
      await unsubscribe();
      return { session, frames, replyMessageId: replyMessageId as string };
    },
    async [Symbol.asyncDispose]() {
      await worker.close();
      await bus.close();
      await database.close();
      await peer.close();
    },
  };
}

const textOf = (frames: ServerFrame[]) => frames.map((f) => (f.type === "stream_chunk" ? f.content : "")).join("");

describe("a2a agents (@a2a-js/sdk on both sides)", { timeout: 60_000 }, () => {
  it("a cancel aborts the upstream A2A stream (its connection closes) and keeps the partial text", async () => {
    await using env = await setup();
    const { frames, replyMessageId } = await env.ask(9, "go slowly", (replyId, sessionId) =>
      env.chat.cancelReply(sessionId, replyId, "alice"),
    );
    expect(frames.find((f) => f.type === "stream_end")).toMatchObject({ finish_reason: "cancelled" });
    await expect.poll(() => env.peer.disconnects()).toBe(1);
    const stored = await env.repo.getMessage(replyMessageId);
    expect(stored?.status).toBe("cancelled");
    expect(stored?.content).toMatch(/^w0 w1 w2 /);
    expect(stored?.content).toBe(textOf(frames));
  });

  it("streams status updates as chunks, with contextId = session id and X-Trace-Id", async () => {
    await using env = await setup();
    const { session, frames, replyMessageId } = await env.ask(7, "hello a2a");
    const end = frames.find((f) => f.type === "stream_end");
    expect(end).toMatchObject({ finish_reason: "stop", message_id: replyMessageId });
    // The final artifact repeats the streamed words: it is not sent twice.
    expect(textOf(frames)).toBe(A2A_WORDS.join(""));
    expect(env.peer.contextIds).toEqual([session.sessionId]);
    expect(env.peer.traceIds).toEqual([session.traceId]);
    expect(env.peer.methods[0]).toMatch(/stream/i);
    expect((await env.repo.getMessage(replyMessageId))?.content).toBe(A2A_WORDS.join(""));
  });

  it("falls back to a blocking send when the agent card says it does not stream", async () => {
    await using env = await setup();
    const { frames } = await env.ask(8, "hello");
    expect(frames.find((f) => f.type === "stream_end")).toMatchObject({ finish_reason: "stop" });
    expect(textOf(frames)).toBe(A2A_WORDS.join(""));
    expect(env.peer.methods[0]).not.toMatch(/stream/i);
  });
});
