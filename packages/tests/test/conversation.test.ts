import { demoReplyText } from "@chat/stream-worker";
import { describe, expect, it } from "vitest";
import { openSocket, startStack } from "../src";

describe("one conversation end to end", () => {
  it("echoes a WS message to its sender and streams the demo agent's reply", async () => {
    await using stack = await startStack();
    const created = await stack.request("alice", "POST", "/api/chat/sessions", { agent_id: 1, title: "Demo" });
    expect(created.status).toBe(201);
    const sessionId: string = created.body.session_id;

    await using socket = openSocket(stack.wsUrl(sessionId, await stack.token("alice")));
    const ready = await socket.next("ready");
    expect(ready).toMatchObject({ session_id: sessionId, user_id: "alice", last_seq: 0 });

    socket.send({ type: "message", content: "안녕하세요! 테스트 메시지입니다.", client_msg_id: "c-1" });
    const echo = await socket.next("message");
    expect(echo).toMatchObject({
      sender_type: "user",
      sender_id: "alice",
      content: "안녕하세요! 테스트 메시지입니다.",
      client_msg_id: "c-1",
      seq: 1,
    });

    const start = await socket.next("stream_start");
    expect(start).toMatchObject({
      sender_type: "agent",
      sender_id: "1",
      reply_to: echo.message_id,
      attempt: 1,
      seq: 2,
    });
    const end = await socket.next("stream_end", (f) => f.message_id === start.message_id);
    expect(end.finish_reason).toBe("stop");
    expect(end.event_seq).toBe(3); // the finished reply is the session's third event
    expect(end.tokens_used).toBeGreaterThan(0);

    const chunks = socket.frames.filter((f) => f.type === "stream_chunk" && f.message_id === start.message_id);
    expect(chunks.map((c) => (c.type === "stream_chunk" ? c.index : -1))).toEqual(chunks.map((_, i) => i));
    const streamed = chunks.map((c) => (c.type === "stream_chunk" ? c.content : "")).join("");
    expect(streamed).toBe(demoReplyText("안녕하세요! 테스트 메시지입니다."));
    // STREAM_CHUNK_SIZE characters per chunk (the last may be shorter).
    for (const chunk of chunks.slice(0, -1)) {
      if (chunk.type === "stream_chunk") expect(Array.from(chunk.content)).toHaveLength(10);
    }

    const history = await stack.request("alice", "GET", `/api/chat/sessions/${sessionId}/messages`);
    expect(history.status).toBe(200);
    expect(history.body.messages).toMatchObject([
      { seq: 1, sender_type: "user", content: "안녕하세요! 테스트 메시지입니다.", status: "complete" },
      {
        seq: 2,
        sender_type: "agent",
        message_type: "stream",
        content: streamed,
        status: "complete",
        metadata: { tokens_used: end.tokens_used },
      },
    ]);
  });

  it("creates the session on first WS connect, as the spec's console test does", async () => {
    await using stack = await startStack({ worker: false });
    const sessionId = `test-session-${Date.now()}`;
    await using socket = openSocket(stack.wsUrl(sessionId, await stack.token("bob")));
    await socket.next("ready");
    socket.send({ type: "message", content: "첫 번째 메시지", timestamp: new Date().toISOString() });
    await expect(socket.next("message")).resolves.toMatchObject({ content: "첫 번째 메시지", seq: 1 });
    const detail = await stack.request("bob", "GET", `/api/chat/sessions/${sessionId}`);
    expect(detail.body).toMatchObject({
      session_id: sessionId,
      user_id: "bob",
      participants: ["bob"],
      message_count: 1,
    });
  });

  it("stores a resent client_msg_id once and acknowledges it again", async () => {
    await using stack = await startStack({ worker: false });
    await using socket = openSocket(stack.wsUrl("dup-session", await stack.token("carol")));
    await socket.next("ready");
    socket.send({ type: "message", content: "once", client_msg_id: "same" });
    socket.send({ type: "message", content: "once", client_msg_id: "same" });
    socket.send({ type: "ping" });
    await socket.next("pong");
    const acks = socket.frames.filter((f) => f.type === "message");
    expect(acks).toHaveLength(2);
    expect(new Set(acks.map((f) => (f.type === "message" ? f.message_id : "")))).toHaveProperty("size", 1);
    expect(await stack.repo.countMessages("dup-session")).toBe(1);
  });
});
