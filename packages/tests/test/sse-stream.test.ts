import { demoReplyText } from "@chat/stream-worker";
import { describe, expect, it } from "vitest";
import { openSse, type SseRecord, startStack, type TestStack } from "../src";

async function auth(stack: TestStack, user = "alice") {
  return { authorization: `Bearer ${await stack.token(user)}`, "content-type": "application/json" };
}

async function demoSession(stack: TestStack) {
  const created = await stack.request("alice", "POST", "/api/chat/sessions", { agent_id: 1 });
  return created.body.session_id as string;
}

const text = (events: SseRecord[]) =>
  events.map((r) => (r.event.type === "stream_chunk" ? r.event.content : "")).join("");
const ended = (events: SseRecord[]) => events.some((r) => r.event.type === "stream_end");

describe("SSE: POST .../messages/stream and resume", { timeout: 60_000 }, () => {
  it("streams the reply as text/event-stream with ids, in the spec's shapes", async () => {
    await using stack = await startStack({ delayMs: 1 });
    const sessionId = await demoSession(stack);
    const sse = await openSse(`${stack.apiUrl}/api/chat/sessions/${sessionId}/messages/stream`, {
      method: "POST",
      headers: await auth(stack),
      body: JSON.stringify({ content: "hello sse", stream: true }),
    });
    expect(sse.status).toBe(200);
    expect(sse.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(sse.headers.get("x-accel-buffering")).toBe("no");
    expect(sse.headers.get("cache-control")).toMatch(/no-cache/);
    await sse.done;
    const types = sse.events.map((r) => r.event.type);
    expect(types[0]).toBe("stream_start");
    expect(types.at(-1)).toBe("stream_end");
    expect(sse.events.every((r) => r.id)).toBe(true);
    expect(new Set(sse.events.map((r) => r.id)).size).toBe(sse.events.length);
    expect(text(sse.events)).toBe(demoReplyText("hello sse"));
    const end = sse.events.at(-1)?.event;
    expect(end).toMatchObject({ type: "stream_end", finish_reason: "stop", tokens_used: expect.any(Number) });
  });

  it("resumes after Last-Event-ID mid-stream with no gap and no duplicate, and after the end", async () => {
    await using stack = await startStack({ delayMs: 15, chunkSize: 3 });
    const sessionId = await demoSession(stack);
    const first = await openSse(`${stack.apiUrl}/api/chat/sessions/${sessionId}/messages/stream`, {
      method: "POST",
      headers: await auth(stack),
      body: JSON.stringify({ content: "resume me" }),
    });
    await first.until((events) => events.filter((r) => r.event.type === "stream_chunk").length >= 3);
    first.abort(); // the client drops; the reply goes on
    const seen = [...first.events];
    const lastId = seen.at(-1)?.id as string;
    const messageId = first.headers.get("x-reply-message-id") as string;
    const resumed = await openSse(`${stack.apiUrl}/api/chat/sessions/${sessionId}/messages/${messageId}/stream`, {
      headers: { ...(await auth(stack)), "last-event-id": lastId },
    });
    expect(resumed.status).toBe(200);
    await resumed.done;
    const all = [...seen, ...resumed.events];
    const chunks = all.filter((r) => r.event.type === "stream_chunk");
    expect(chunks.map((r) => (r.event.type === "stream_chunk" ? r.event.index : -1))).toEqual(chunks.map((_, i) => i));
    expect(text(all)).toBe(demoReplyText("resume me"));
    expect(ended(resumed.events)).toBe(true);

    // After the end: a resume from the start replays the whole reply from the buffer.
    const late = await openSse(`${stack.apiUrl}/api/chat/sessions/${sessionId}/messages/${messageId}/stream`, {
      headers: await auth(stack),
    });
    await late.done;
    expect(text(late.events)).toBe(demoReplyText("resume me"));
    expect(late.events.at(-1)?.event).toMatchObject({ type: "stream_end", finish_reason: "stop" });

    // With the buffer gone, the stored text stands in for it.
    await stack.bus.buffers.expire(`chat:stream:${messageId}`, 0.01);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stored = await openSse(`${stack.apiUrl}/api/chat/sessions/${sessionId}/messages/${messageId}/stream`, {
      headers: await auth(stack),
    });
    await stored.done;
    expect(text(stored.events)).toBe(demoReplyText("resume me"));
    expect(ended(stored.events)).toBe(true);
  });

  it("is 404 for non-participants, cancels a queued reply before it starts, and regenerates", async () => {
    await using stack = await startStack({ delayMs: 1, worker: false });
    const sessionId = await demoSession(stack);
    const stranger = await openSse(`${stack.apiUrl}/api/chat/sessions/${sessionId}/messages/stream`, {
      method: "POST",
      headers: await auth(stack, "mallory"),
      body: JSON.stringify({ content: "hi" }),
    });
    expect(stranger.status).toBe(404);

    const posted = await stack.request("alice", "POST", `/api/chat/sessions/${sessionId}/messages`, { content: "q" });
    expect(posted.status).toBe(201);
    // No worker yet: the reply is only queued. Find its id through a regenerate of the same question.
    const regen = await stack.request(
      "alice",
      "POST",
      `/api/chat/sessions/${sessionId}/messages/${posted.body.message_id}/regenerate`,
    );
    expect(regen.status).toBe(202);
    const replyId: string = regen.body.message_id;
    expect(
      (await stack.request("mallory", "POST", `/api/chat/sessions/${sessionId}/messages/${replyId}/cancel`)).status,
    ).toBe(404);
    const cancel = await stack.request("alice", "POST", `/api/chat/sessions/${sessionId}/messages/${replyId}/cancel`);
    expect(cancel.status).toBe(202);

    const { createBackends, createStreamWorker } = await import("@chat/stream-worker");
    const { silentLogger } = await import("@chat/core");
    const worker = createStreamWorker({
      repo: stack.repo,
      bus: stack.bus,
      agents: stack.services.agents,
      logger: silentLogger(),
      consumer: "late-worker",
      blockMs: 100,
      backends: createBackends({ delayMs: 1 }),
    });
    worker.start();
    try {
      const sse = await openSse(`${stack.apiUrl}/api/chat/sessions/${sessionId}/messages/${replyId}/stream`, {
        headers: await auth(stack),
      });
      await sse.done;
      expect(sse.events.at(-1)?.event).toMatchObject({ type: "stream_end", finish_reason: "cancelled" });
      expect((await stack.repo.getMessage(replyId))?.status).toBe("cancelled");
      // Both replies to the question end: the first complete, the regenerated one cancelled.
      const page = await stack.request("alice", "GET", `/api/chat/sessions/${sessionId}/messages?limit=50`);
      const agentReplies = page.body.messages.filter((m: { sender_type: string }) => m.sender_type === "agent");
      await expect
        .poll(async () => (await stack.repo.getMessage(agentReplies[0]?.message_id))?.status)
        .not.toBe("streaming");
      expect(agentReplies).toHaveLength(2);
    } finally {
      await worker.close();
    }
  });
});
