import { and, count, eq } from "drizzle-orm";
import type { Db, RunStatement, Statement } from "./client.js";
import { toDate, toJson } from "./decode.js";
import { chatSessionParticipants, chatSessions } from "./schema.js";
import { notDeleted } from "./session-queries.js";
import type { ListSessionsOptions, SessionListItem, SessionRow } from "./types.js";

/**
 * The sessions `userId` takes part in, most recent activity first, each with its last message
 * and unread count, and the total number of matching sessions: one statement.
 *
 * The page is cut first (CTE `ranked`: the user's participant rows via their user_id index,
 * joined to just the sort keys of their sessions, counted with a window, sorted, limited), and
 * only then are the page's 20 session rows read and the per-row figures computed, as
 * subqueries that each read a range of the (session_id, seq) unique index. A user with 1,000
 * sessions thus costs one sort of 1,000 small rows plus 20 × three index probes.
 */
export async function listSessions(
  db: Db,
  run: RunStatement,
  userId: string,
  options: ListSessionsOptions,
): Promise<{ sessions: SessionListItem[]; total: number }> {
  const rows = await run(listSessionsStatement(userId, options));
  const sessions = rows.map(toListItem);
  const first = rows[0];
  if (first) return { sessions, total: Number(first.total) };
  if (options.offset === 0) return { sessions, total: 0 };
  // A page past the end has no row to carry the window count: count separately (rare).
  const participant = chatSessionParticipants;
  const [counted] = await db
    .select({ n: count() })
    .from(chatSessions)
    .innerJoin(participant, and(eq(participant.sessionId, chatSessions.sessionId), eq(participant.userId, userId)))
    .where(
      and(
        notDeleted(),
        options.status === undefined ? undefined : eq(chatSessions.status, options.status),
        options.agentId === undefined ? undefined : eq(chatSessions.agentId, options.agentId),
      ),
    );
  return { sessions, total: counted?.n ?? 0 };
}

const texts = new Map<string, string>();

/**
 * The one statement of {@link listSessions} (exported so tests can EXPLAIN it). Four texts at
 * most (with or without each filter), each built once.
 */
export function listSessionsStatement(userId: string, options: ListSessionsOptions): Statement {
  const params: unknown[] = [userId, options.limit, options.offset];
  let filters = "";
  if (options.status !== undefined) {
    params.push(options.status);
    filters += ` and s.status = $${params.length}`;
  }
  if (options.agentId !== undefined) {
    params.push(options.agentId);
    filters += ` and s.agent_id = $${params.length}`;
  }
  let text = texts.get(filters);
  if (text === undefined) {
    text = `with ranked as (
  select s.session_id, s.updated_at, s.id, p.last_read_seq as read_seq,
    -- Counted before LIMIT/OFFSET apply, so the page carries the total with it.
    count(*) over () as total
  from chat_session_participants p
  join chat_sessions s on s.session_id = p.session_id
  where p.user_id = $1 and s.status is distinct from 'deleted'${filters}
  order by s.updated_at desc nulls last, s.id desc
  limit $2 offset $3
)
select s.id, s.session_id, s.trace_id, s.user_id, s.agent_id, s.title, s.status, s.metadata, s.created_at,
  s.updated_at, s.ended_at, s.last_seq, r.total,
  last_message.content as last_message, last_message.created_at as last_message_at,
  (select count(*) from chat_messages m
    where m.session_id = r.session_id and m.seq > r.read_seq and m.sender_id <> $1) as unread_count
from ranked r
join chat_sessions s on s.session_id = r.session_id
left join lateral (
  select content, created_at from chat_messages m where m.session_id = r.session_id order by m.seq desc limit 1
) last_message on true
order by r.updated_at desc nulls last, r.id desc`;
    texts.set(filters, text);
  }
  return { text, params };
}

/** A raw `chat_sessions` row (either driver) as drizzle would have returned it. */
export function toSessionRow(raw: Record<string, unknown>): SessionRow {
  return {
    id: raw.id as number,
    sessionId: raw.session_id as string,
    traceId: raw.trace_id as string | null,
    userId: raw.user_id as string,
    agentId: raw.agent_id as number | null,
    title: raw.title as string | null,
    status: raw.status as SessionRow["status"],
    metadata: toJson(raw.metadata) as SessionRow["metadata"],
    createdAt: toDate(raw.created_at),
    updatedAt: toDate(raw.updated_at),
    endedAt: toDate(raw.ended_at),
    lastSeq: Number(raw.last_seq),
  };
}

function toListItem(raw: Record<string, unknown>): SessionListItem {
  return {
    ...toSessionRow(raw),
    lastMessage: raw.last_message as string | null,
    lastMessageAt: toDate(raw.last_message_at),
    unreadCount: Number(raw.unread_count),
  };
}
