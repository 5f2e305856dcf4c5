import { describe, expect, test } from "vitest";
import { NotFoundError } from "./errors.js";
import { appendMany, uid, useRepository } from "./test-helpers.js";
import type { AppendMessageInput } from "./types.js";

const { repo } = useRepository();

async function newSession() {
  const userId = uid("u");
  const session = await repo().createSession({ userId });
  const text = (content: string, extra: Partial<AppendMessageInput> = {}): AppendMessageInput => ({
    sessionId: session.sessionId,
    senderType: "user",
    senderId: userId,
    messageType: "text",
    content,
    ...extra,
  });
  return { userId, sessionId: session.sessionId, text };
}

describe("appendMessage", () => {
  test("assigns seq 1, 2, 3... and generates msg_ ids", async () => {
    const { sessionId, userId, text } = await newSession();
    const first = await repo().appendMessage(text("hello"));
    expect(first.duplicate).toBe(false);
    expect(first.message).toMatchObject({
      sessionId,
      senderId: userId,
      senderType: "user",
      messageType: "text",
      content: "hello",
      seq: 1,
      status: "complete",
      clientMsgId: null,
      metadata: null,
      isEdited: false,
    });
    expect(first.message.messageId).toMatch(/^msg_[A-Za-z0-9_-]{16}$/);
    const second = await repo().appendMessage(
      text("again", { messageId: uid("msg"), status: "streaming", metadata: { a: 1 } }),
    );
    expect(second.message).toMatchObject({ seq: 2, status: "streaming", metadata: { a: 1 } });
    expect((await repo().getSession(sessionId))?.lastSeq).toBe(2);
  });

  test("throws NotFoundError for a missing session", async () => {
    const { text } = await newSession();
    const input = { ...text("x"), sessionId: uid("missing") };
    await expect(repo().appendMessage(input)).rejects.toBeInstanceOf(NotFoundError);
  });

  test("a resend with the same client_msg_id returns the stored message, burns no seq", async () => {
    const { sessionId, text } = await newSession();
    const first = await repo().appendMessage(text("once", { clientMsgId: "c-1" }));
    const resend = await repo().appendMessage(text("once (resent)", { clientMsgId: "c-1" }));
    expect(resend).toEqual({ message: first.message, duplicate: true });
    const next = await repo().appendMessage(text("next", { clientMsgId: "c-2" }));
    expect(next.message.seq).toBe(2);
    expect(await repo().countMessages(sessionId)).toBe(2);
  });

  test("client_msg_id is scoped to its session; null never deduplicates", async () => {
    const a = await newSession();
    const b = await newSession();
    await repo().appendMessage(a.text("a", { clientMsgId: "same" }));
    const inB = await repo().appendMessage(b.text("b", { clientMsgId: "same" }));
    expect(inB.duplicate).toBe(false);
    await repo().appendMessage(a.text("x", { clientMsgId: null }));
    const again = await repo().appendMessage(a.text("x", { clientMsgId: null }));
    expect(again).toMatchObject({ duplicate: false, message: { seq: 3 } });
  });

  test("50 concurrent appends get seqs 1..50, no gap, no duplicate", async () => {
    const { sessionId, text } = await newSession();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => repo().appendMessage(text(`m${i}`))));
    const seqs = results.map((r) => r.message.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await repo().getSession(sessionId))?.lastSeq).toBe(50);
  });

  test("concurrent resends of one client_msg_id store it once", async () => {
    const { sessionId, text } = await newSession();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => repo().appendMessage(text("hi", { clientMsgId: "dup" }))),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const ids = new Set(results.map((r) => r.message.messageId));
    expect(ids.size).toBe(1);
    expect(await repo().countMessages(sessionId)).toBe(1);
    expect((await repo().getSession(sessionId))?.lastSeq).toBe(1);
  });

  test("bumps the session's updated_at", async () => {
    const { sessionId, text } = await newSession();
    const before = await repo().getSession(sessionId);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await repo().appendMessage(text("x"));
    const after = await repo().getSession(sessionId);
    expect(after?.updatedAt?.getTime()).toBeGreaterThan(before?.updatedAt?.getTime() ?? 0);
  });
});

describe("updateMessage / getMessage", () => {
  test("changes only the given fields", async () => {
    const { text } = await newSession();
    const { message } = await repo().appendMessage(
      text("", { senderType: "agent", messageType: "stream", status: "streaming" }),
    );
    const updated = await repo().updateMessage(message.messageId, {
      content: "full reply",
      status: "complete",
      tokensUsed: 42,
      latencyMs: 1_234,
    });
    expect(updated).toMatchObject({
      messageId: message.messageId,
      content: "full reply",
      status: "complete",
      tokensUsed: 42,
      latencyMs: 1_234,
      seq: message.seq,
      metadata: null,
    });
    const cleared = await repo().updateMessage(message.messageId, {
      content: null,
      metadata: { finish_reason: "cancelled" },
    });
    expect(cleared).toMatchObject({ content: null, tokensUsed: 42, status: "complete" });
    expect(cleared?.metadata).toEqual({ finish_reason: "cancelled" });
    expect(await repo().updateMessage(message.messageId, {})).toEqual(cleared);
    expect(await repo().getMessage(message.messageId)).toEqual(cleared);
  });

  test("undefined for an unknown message", async () => {
    expect(await repo().updateMessage(uid("msg"), { status: "error" })).toBeUndefined();
    expect(await repo().getMessage(uid("msg"))).toBeUndefined();
  });
});

describe("countMessages / messagesSince", () => {
  test("count and the messages after a seq, ascending, limited", async () => {
    const { sessionId, userId } = await newSession();
    expect(await repo().countMessages(sessionId)).toBe(0);
    await appendMany(repo(), sessionId, userId, 7);
    expect(await repo().countMessages(sessionId)).toBe(7);
    const since = await repo().messagesSince(sessionId, 3, 100);
    expect(since.map((m) => m.seq)).toEqual([4, 5, 6, 7]);
    expect((await repo().messagesSince(sessionId, 0, 2)).map((m) => m.seq)).toEqual([1, 2]);
    expect(await repo().messagesSince(sessionId, 7, 10)).toEqual([]);
  });
});

describe("updateMessageAsEvent", () => {
  test("gives an edit the session's next seq as eventSeq, so recovery replays it", async () => {
    const { sessionId } = await repo().createSession({ userId: "u-event" });
    const { message: first } = await repo().appendMessage({
      sessionId,
      senderType: "user",
      senderId: "u-event",
      messageType: "text",
      content: "a",
    });
    await repo().appendMessage({
      sessionId,
      senderType: "user",
      senderId: "u-event",
      messageType: "text",
      content: "b",
    });
    const edited = await repo().updateMessageAsEvent(first.messageId, {
      content: "a2",
      isEdited: true,
      editedAt: new Date(),
    });
    expect(edited).toMatchObject({ seq: 1, eventSeq: 3, content: "a2", isEdited: true });
    expect((await repo().getSession(sessionId))?.lastSeq).toBe(3);
    const since = await repo().messagesSince(sessionId, 1, 10);
    expect(since.map((m) => [m.seq, m.eventSeq])).toEqual([
      [2, 2],
      [1, 3],
    ]);
    expect(await repo().updateMessageAsEvent("msg_unknown", { content: "x" })).toBeUndefined();
  });
});

describe("getReplyContext", () => {
  test("reads the session, the user message and an earlier reply row in one call", async () => {
    const { sessionId } = await repo().createSession({ userId: "u-ctx", agentId: 1 });
    const { message: asked } = await repo().appendMessage({
      sessionId,
      senderType: "user",
      senderId: "u-ctx",
      messageType: "text",
      content: "question",
    });
    const before = await repo().getReplyContext(sessionId, asked.messageId, "msg_reply_ctx");
    expect(before.session?.sessionId).toBe(sessionId);
    expect(before.userMessage).toEqual(asked);
    expect(before.reply).toBeUndefined();

    const { message: reply } = await repo().appendMessage({
      sessionId,
      messageId: "msg_reply_ctx",
      senderType: "agent",
      senderId: "1",
      messageType: "stream",
      content: "",
      status: "streaming",
    });
    const after = await repo().getReplyContext(sessionId, asked.messageId, "msg_reply_ctx");
    expect(after.reply).toEqual(reply);
    expect(after.session?.lastSeq).toBe(2);

    expect(await repo().getReplyContext("sess_unknown", asked.messageId, "msg_reply_ctx")).toEqual({ history: [] });
    expect((await repo().getReplyContext(sessionId, "msg_unknown", "msg_unknown")).userMessage).toBeUndefined();
  });
});
