import { and, count, desc, eq, getTableColumns, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { chatMessages, chatSessionParticipants, chatSessions } from "./schema.js";
import { notDeleted } from "./session-queries.js";
import type { ListSessionsOptions, SessionListItem, SessionRow } from "./types.js";

/**
 * The sessions `userId` takes part in, most recent activity first, each with its last message,
 * unread and message counts, and the total number of matching sessions: one statement.
 *
 * The page is cut first (CTE `page`: the user's sessions via the participants' user_id index,
 * sorted, counted with a window, limited), and only then are the per-row figures computed, as
 * correlated subqueries that each read a range of the (session_id, seq) unique index. A user
 * with 1,000 sessions thus costs one sort of 1,000 small rows plus 20 × three index probes.
 */
export async function listSessions(
  db: Db,
  userId: string,
  options: ListSessionsOptions,
): Promise<{ sessions: SessionListItem[]; total: number }> {
  const rows = await listSessionsQuery(db, userId, options);
  const sessions = rows.map(({ total: _total, ...item }) => item);
  const first = rows[0];
  if (first) return { sessions, total: first.total };
  if (options.offset === 0) return { sessions, total: 0 };
  // A page past the end has no row to carry the window count: count separately (rare).
  const participant = chatSessionParticipants;
  const [counted] = await db
    .select({ n: count() })
    .from(chatSessions)
    .innerJoin(participant, and(eq(participant.sessionId, chatSessions.sessionId), eq(participant.userId, userId)))
    .where(filters(options));
  return { sessions, total: counted?.n ?? 0 };
}

const filters = (options: ListSessionsOptions) =>
  and(
    notDeleted(),
    options.status === undefined ? undefined : eq(chatSessions.status, options.status),
    options.agentId === undefined ? undefined : eq(chatSessions.agentId, options.agentId),
  );

/** The one statement of {@link listSessions} (exported so tests can EXPLAIN it). */
export function listSessionsQuery(db: Db, userId: string, options: ListSessionsOptions) {
  const participant = chatSessionParticipants;
  const where = filters(options);
  const membership = and(eq(participant.sessionId, chatSessions.sessionId), eq(participant.userId, userId));
  const order = [sql`${chatSessions.updatedAt} desc nulls last`, desc(chatSessions.id)];

  const page = db.$with("page").as(
    db
      .select({
        ...getTableColumns(chatSessions),
        readSeq: sql<number>`${participant.lastReadSeq}`.as("read_seq"),
        // Counted before LIMIT/OFFSET apply, so the page carries the total with it.
        total: sql<number>`count(*) over ()`.as("total"),
      })
      .from(chatSessions)
      .innerJoin(participant, membership)
      .where(where)
      .orderBy(...order)
      .limit(options.limit)
      .offset(options.offset),
  );

  const lastMessage = db
    .select({ content: chatMessages.content, createdAt: chatMessages.createdAt })
    .from(chatMessages)
    .where(eq(chatMessages.sessionId, page.sessionId))
    .orderBy(desc(chatMessages.seq))
    .limit(1)
    .as("last_message");

  const sessionFields = Object.fromEntries(
    Object.keys(getTableColumns(chatSessions)).map((key) => [key, page[key as keyof SessionRow]]),
  ) as { [K in keyof SessionRow]: (typeof page)[K] };

  return db
    .with(page)
    .select({
      ...sessionFields,
      lastMessage: lastMessage.content,
      lastMessageAt: lastMessage.createdAt,
      unreadCount: sql<number>`(select count(*) from ${chatMessages}
        where ${chatMessages.sessionId} = ${page.sessionId}
          and ${chatMessages.seq} > ${page.readSeq}
          and ${chatMessages.senderId} <> ${userId})`.mapWith(Number),
      messageCount: sql<number>`(select count(*) from ${chatMessages}
        where ${chatMessages.sessionId} = ${page.sessionId})`.mapWith(Number),
      total: sql<number>`${page.total}`.mapWith(Number),
    })
    .from(page)
    .leftJoinLateral(lastMessage, sql`true`)
    .orderBy(sql`${page.updatedAt} desc nulls last`, desc(page.id));
}
