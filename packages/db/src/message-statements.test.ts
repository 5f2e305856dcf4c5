import { eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { beforeAll, describe, expect, test } from "vitest";
import { chatMessages, chatSessions } from "./schema.js";
import { appendMany, setStatus, uid, useRepository } from "./test-helpers.js";
import type { MessageRow } from "./types.js";

const { repo, database } = useRepository();

/** What getReplyContext answered as a drizzle query (one join), the reference for the statement. */
async function drizzleReplyContext(sessionId: string, userMessageId: string, replyMessageId: string) {
  const reply = alias(chatMessages, "reply");
  const [row] = await database()
    .db.select({ session: chatSessions, userMessage: chatMessages, reply })
    .from(chatSessions)
    .leftJoin(chatMessages, eq(chatMessages.messageId, userMessageId))
    .leftJoin(reply, eq(reply.messageId, replyMessageId))
    .where(eq(chatSessions.sessionId, sessionId));
  return row;
}

/** The drizzle row of a message, the reference for what a statement returns. */
async function stored(messageId: string): Promise<MessageRow | undefined> {
  const [row] = await database().db.select().from(chatMessages).where(eq(chatMessages.messageId, messageId));
  return row;
}

const owner = uid("owner");
let sessionId = "";
let otherSessionId = "";
let deletedSessionId = "";
let asked: MessageRow;
let reply: MessageRow;
let foreign: MessageRow;

beforeAll(async () => {
  sessionId = (await repo().createSession({ userId: owner, agentId: 7, title: "t", metadata: { a: [1] } })).sessionId;
  const messages = await appendMany(repo(), sessionId, owner, 25);
  await repo().appendMessage({
    sessionId,
    senderType: "system",
    senderId: "system",
    messageType: "system",
    content: "joined",
    metadata: { nested: { n: 1 }, s: "x" },
  });
  const edited = messages[20];
  if (edited)
    await repo().updateMessageAsEvent(edited.messageId, { content: "edited", isEdited: true, editedAt: new Date() });
  asked = (await appendMany(repo(), sessionId, owner, 1))[0] as MessageRow;
  reply = (
    await repo().appendMessage({
      sessionId,
      messageId: uid("msg_reply"),
      senderType: "agent",
      senderId: "7",
      messageType: "stream",
      content: "",
      status: "streaming",
      metadata: { reply_to: asked.messageId },
    })
  ).message;
  otherSessionId = (await repo().createSession({ userId: owner })).sessionId;
  foreign = (await appendMany(repo(), otherSessionId, owner, 1))[0] as MessageRow;
  deletedSessionId = (await repo().createSession({ userId: owner })).sessionId;
  await setStatus(database().db, deletedSessionId, "deleted");
});

describe("getReplyContext", () => {
  test("answers what the drizzle join and pageMessages before the user message answer, row for row", async () => {
    const cases: [string, string, string, number][] = [
      [sessionId, asked.messageId, reply.messageId, 20],
      [sessionId, asked.messageId, uid("msg_none"), 20],
      [sessionId, asked.messageId, reply.messageId, 0],
      [sessionId, asked.messageId, reply.messageId, 100],
      [sessionId, uid("msg_none"), reply.messageId, 20],
      // The user message is looked up by id alone, as the join did; history stays in the session.
      [sessionId, foreign.messageId, uid("msg_none"), 20],
      [otherSessionId, foreign.messageId, uid("msg_none"), 20],
      [deletedSessionId, uid("msg_none"), uid("msg_none"), 20],
    ];
    for (const [session, user, replyId, limit] of cases) {
      const expected = await drizzleReplyContext(session, user, replyId);
      const history = expected?.userMessage
        ? (await repo().pageMessages(session, { beforeSeq: expected.userMessage.seq, limit })).messages.map(
            ({ senderType, content }) => ({ senderType, content }),
          )
        : [];
      expect(await repo().getReplyContext(session, user, replyId, limit), JSON.stringify([user, limit])).toEqual({
        session: expected?.session,
        ...(expected?.userMessage ? { userMessage: expected.userMessage } : {}),
        ...(expected?.reply ? { reply: expected.reply } : {}),
        history,
      });
    }
    const full = await repo().getReplyContext(sessionId, asked.messageId, reply.messageId, 20);
    expect(full.history).toHaveLength(20);
    expect(full.history).toContainEqual({ senderType: "system", content: "joined" });
    expect(full.history).toContainEqual({ senderType: "user", content: "edited" });
  });

  test("only an empty history for an unknown session", async () => {
    expect(await repo().getReplyContext(uid("sess"), asked.messageId, reply.messageId, 20)).toEqual({ history: [] });
  });
});

describe("appendMessage (no client_msg_id) and updateMessageAsEvent", () => {
  test("return the row drizzle reads back, for every patch field, set and cleared", async () => {
    const { message } = await repo().appendMessage({
      sessionId,
      senderType: "agent",
      senderId: "7",
      messageType: "stream",
      content: "안녕 🙂",
      status: "streaming",
      metadata: { reply_to: "x", list: [1, "2", null], deep: { a: { b: true } } },
    });
    expect(message).toEqual(await stored(message.messageId));
    const { message: bare } = await repo().appendMessage({
      sessionId,
      senderType: "user",
      senderId: owner,
      messageType: "text",
      content: null,
    });
    expect(bare).toEqual(await stored(bare.messageId));
    expect(bare).toMatchObject({ content: null, metadata: null, status: "complete" });

    const editedAt = new Date("2026-01-02T03:04:05.678Z");
    const patches = [
      { content: "done", status: "complete", tokensUsed: 12, latencyMs: 3_400, metadata: { finish_reason: "stop" } },
      { isEdited: true, editedAt },
      { content: null, tokensUsed: null, latencyMs: null, metadata: null, editedAt: null, isEdited: false },
      { status: "error", content: undefined },
      {},
    ] as const;
    let eventSeq = message.eventSeq;
    for (const patch of patches) {
      const updated = await repo().updateMessageAsEvent(message.messageId, patch);
      expect(updated, JSON.stringify(patch)).toEqual(await stored(message.messageId));
      expect(updated).toMatchObject(Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
      expect(updated?.eventSeq).toBeGreaterThan(eventSeq);
      eventSeq = updated?.eventSeq ?? Number.NaN;
    }
    expect((await repo().getSession(sessionId))?.lastSeq).toBe(eventSeq);
  });
});
