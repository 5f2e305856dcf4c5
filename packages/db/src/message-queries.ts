import { and, asc, count, desc, eq, gt, lt, sql } from "drizzle-orm";
import type { Db, RunStatement } from "./client.js";
import { toJson } from "./decode.js";
import { NotFoundError } from "./errors.js";
import { newMessageId } from "./ids.js";
import { appendStatement, replyContextStatement, updateAsEventStatement } from "./message-statements.js";
import { single, toMessageRow } from "./raw.js";
import { chatMessages, chatSessions } from "./schema.js";
import { toSessionRow } from "./session-list.js";
import type { AppendMessageInput, ChatRepository, MessageRow, PageMessagesOptions, SenderType } from "./types.js";

type MessageQueries = Pick<
  ChatRepository,
  | "appendMessage"
  | "updateMessage"
  | "updateMessageAsEvent"
  | "getReplyContext"
  | "getMessage"
  | "pageMessages"
  | "countMessages"
  | "messagesSince"
>;

/** Unwinds the append transaction (so no seq is burned) and carries the stored message out. */
class DuplicateMessage extends Error {
  constructor(readonly existing: MessageRow) {
    super("duplicate client_msg_id");
  }
}

/**
 * The statement of `pageMessages` (exported so tests can EXPLAIN it): one range of the
 * (session_id, seq) unique index, plus one extra row that tells whether another page exists.
 */
export function pageMessagesQuery(
  db: Db,
  sessionId: string,
  { afterSeq, beforeSeq, afterTime, beforeTime, limit }: PageMessagesOptions,
) {
  const bounds = and(
    eq(chatMessages.sessionId, sessionId),
    afterSeq === undefined ? undefined : gt(chatMessages.seq, afterSeq),
    beforeSeq === undefined ? undefined : lt(chatMessages.seq, beforeSeq),
    // Compared at millisecond precision: the API's timestamps (JS ISO strings) carry
    // milliseconds, and a client using a message's own created_at as the cursor must not
    // get that message back because the stored value has microseconds.
    afterTime === undefined
      ? undefined
      : sql`date_trunc('milliseconds', ${chatMessages.createdAt}) > ${afterTime.toISOString()}::timestamptz`,
    beforeTime === undefined
      ? undefined
      : sql`date_trunc('milliseconds', ${chatMessages.createdAt}) < ${beforeTime.toISOString()}::timestamptz`,
  );
  const forward = afterSeq !== undefined || afterTime !== undefined;
  return db
    .select()
    .from(chatMessages)
    .where(bounds)
    .orderBy(forward ? asc(chatMessages.seq) : desc(chatMessages.seq))
    .limit(limit + 1);
}

/**
 * Messages: seq-ordered appends, idempotent resends, updates and seq-cursor reads. The statements
 * of an agent reply (append, context, update as event) run as prepared {@link Statement}s
 * through `run`; the rest are drizzle queries.
 */
export function messageQueries(db: Db, run: RunStatement): MessageQueries {
  const inSession = (sessionId: string) => eq(chatMessages.sessionId, sessionId);
  const getMessage = async (messageId: string) => {
    const [row] = await db.select().from(chatMessages).where(eq(chatMessages.messageId, messageId));
    return row;
  };

  const appendOne = async (input: AppendMessageInput): Promise<MessageRow> => {
    const [row] = await run(appendStatement(input));
    if (!row) throw new NotFoundError("session", input.sessionId);
    return toMessageRow(row);
  };

  return {
    async appendMessage(input) {
      if (input.clientMsgId == null) return { message: await appendOne(input), duplicate: false };
      try {
        const message = await db.transaction(async (tx) => {
          // The row lock taken here is held until commit, so appends to one session run one
          // at a time and seqs come out 1..N with no gap; other sessions are not blocked.
          const [bumped] = await tx
            .update(chatSessions)
            .set({ lastSeq: sql`${chatSessions.lastSeq} + 1`, updatedAt: sql`now()` })
            .where(eq(chatSessions.sessionId, input.sessionId))
            .returning({ seq: chatSessions.lastSeq });
          if (!bumped) throw new NotFoundError("session", input.sessionId);

          const clientMsgId = input.clientMsgId ?? null;
          if (clientMsgId !== null) {
            // Read after taking the lock: a concurrent resend has committed by now, and
            // under READ COMMITTED this statement sees it.
            const [existing] = await tx
              .select()
              .from(chatMessages)
              .where(and(inSession(input.sessionId), eq(chatMessages.clientMsgId, clientMsgId)));
            if (existing) throw new DuplicateMessage(existing);
          }

          const rows = await tx
            .insert(chatMessages)
            .values({
              sessionId: input.sessionId,
              messageId: input.messageId ?? newMessageId(),
              senderType: input.senderType,
              senderId: input.senderId,
              messageType: input.messageType,
              content: input.content,
              metadata: input.metadata ?? null,
              clientMsgId,
              status: input.status ?? "complete",
              seq: bumped.seq,
              eventSeq: bumped.seq,
            })
            .returning();
          return single(rows, "insert chat_messages");
        });
        return { message, duplicate: false };
      } catch (error) {
        if (error instanceof DuplicateMessage) return { message: error.existing, duplicate: true };
        throw error;
      }
    },

    async updateMessage(messageId, patch) {
      // Only the keys present change; `{ content: null }` clears, `{}` changes nothing.
      const set = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as typeof patch;
      if (Object.keys(set).length === 0) return getMessage(messageId);
      const [row] = await db.update(chatMessages).set(set).where(eq(chatMessages.messageId, messageId)).returning();
      return row;
    },

    async updateMessageAsEvent(messageId, patch) {
      const [row] = await run(updateAsEventStatement(messageId, patch));
      return row && toMessageRow(row);
    },

    getMessage,

    async getReplyContext(sessionId, userMessageId, replyMessageId, historyLimit = 0) {
      const [row] = await run(replyContextStatement(sessionId, userMessageId, replyMessageId, historyLimit));
      if (!row) return { history: [] };
      return {
        session: toSessionRow(json(row.session)),
        ...(row.user_message ? { userMessage: toMessageRow(json(row.user_message)) } : {}),
        ...(row.reply ? { reply: toMessageRow(json(row.reply)) } : {}),
        history: json<{ sender_type: SenderType; content: string | null }[]>(row.history).map((m) => ({
          senderType: m.sender_type,
          content: m.content,
        })),
      };
    },

    async pageMessages(sessionId, options) {
      const { limit } = options;
      const forward = options.afterSeq !== undefined || options.afterTime !== undefined;
      const rows = await pageMessagesQuery(db, sessionId, options);
      const hasMore = rows.length > limit;
      const page = rows.slice(0, limit);
      return { messages: forward ? page : page.reverse(), hasMore };
    },

    async countMessages(sessionId) {
      const [row] = await db.select({ n: count() }).from(chatMessages).where(inSession(sessionId));
      return row?.n ?? 0;
    },

    messagesSince(sessionId, sinceSeq, limit) {
      return db
        .select()
        .from(chatMessages)
        .where(and(inSession(sessionId), gt(chatMessages.eventSeq, sinceSeq)))
        .orderBy(asc(chatMessages.eventSeq))
        .limit(limit);
    },
  };
}

/** A json column's value, as {@link toJson} reads it (a driver that did not parse it gives a string). */
const json = <T = Record<string, unknown>>(value: unknown): T => toJson(value) as T;
