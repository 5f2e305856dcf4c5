import { and, count, desc, eq, getTableColumns, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { chatMessages, chatSessionParticipants, chatSessions } from "./schema.js";
import { notDeleted } from "./session-queries.js";
import type { ListSessionsOptions, SessionListItem } from "./types.js";

/**
 * The sessions `userId` takes part in, newest activity first, each with its last message,
 * unread and message counts, and the total number of matching sessions: one statement.
 *
 * The per-row figures are correlated subqueries that each read a range of the
 * (session_id, seq) unique index, so the cost grows with the page, not with the history.
 */
export async function listSessions(
  db: Db,
  userId: string,
  options: ListSessionsOptions,
): Promise<{ sessions: SessionListItem[]; total: number }> {
  const participant = chatSessionParticipants;
  const lastMessage = db
    .select({ content: chatMessages.content, createdAt: chatMessages.createdAt })
    .from(chatMessages)
    .where(eq(chatMessages.sessionId, chatSessions.sessionId))
    .orderBy(desc(chatMessages.seq))
    .limit(1)
    .as("last_message");

  const where = and(
    notDeleted(),
    options.status === undefined ? undefined : eq(chatSessions.status, options.status),
    options.agentId === undefined ? undefined : eq(chatSessions.agentId, options.agentId),
  );
  const membership = and(eq(participant.sessionId, chatSessions.sessionId), eq(participant.userId, userId));

  const rows = await db
    .select({
      ...getTableColumns(chatSessions),
      lastMessage: lastMessage.content,
      lastMessageAt: lastMessage.createdAt,
      unreadCount: sql<number>`(select count(*) from ${chatMessages}
        where ${chatMessages.sessionId} = ${chatSessions.sessionId}
          and ${chatMessages.seq} > ${participant.lastReadSeq}
          and ${chatMessages.senderId} <> ${userId})`.mapWith(Number),
      messageCount: sql<number>`(select count(*) from ${chatMessages}
        where ${chatMessages.sessionId} = ${chatSessions.sessionId})`.mapWith(Number),
      // Counted before LIMIT/OFFSET apply, so the page carries the total with it.
      total: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(chatSessions)
    .innerJoin(participant, membership)
    .leftJoinLateral(lastMessage, sql`true`)
    .where(where)
    .orderBy(sql`${chatSessions.updatedAt} desc nulls last`, desc(chatSessions.id))
    .limit(options.limit)
    .offset(options.offset);

  const sessions = rows.map(({ total: _total, ...item }) => item);
  const first = rows[0];
  if (first) return { sessions, total: first.total };
  if (options.offset === 0) return { sessions, total: 0 };
  // A page past the end has no row to carry the window count: count separately (rare).
  const [counted] = await db.select({ n: count() }).from(chatSessions).innerJoin(participant, membership).where(where);
  return { sessions, total: counted?.n ?? 0 };
}
