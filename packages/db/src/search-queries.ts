import { eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { queryRows } from "./raw.js";
import { chatMessages, chatSessionParticipants, chatSessions } from "./schema.js";
import { notDeleted } from "./session-queries.js";
import type { ChatRepository, SearchMessagesOptions } from "./types.js";

/** `%`, `_` and the escape character itself match literally. */
export function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Substring search over message content, restricted to the caller's sessions.
 *
 * The matches are found in a MATERIALIZED CTE, an optimization fence: without it, "newest
 * first, LIMIT 20" tempts the planner into walking idx_chat_messages_created_at backwards over
 * the whole table, filtering every row (seconds on a million rows when the caller's matches
 * are few or none). Inside the fence PostgreSQL picks the cheaper of two index paths:
 * - the pg_trgm GIN index (idx_chat_messages_content_trgm) for `ILIKE '%q%'`, when `q` has a
 *   trigram (3+ characters) that is selective;
 * - the caller's sessions (participants by user_id, then messages by session_id) filtered by
 *   the pattern, for 1–2 character queries (common in Korean: no trigram, the index cannot
 *   help) and for common words. That costs in proportion to the caller's own history.
 * Then the newest `limit + 1` hits are loaded by primary key.
 */
/** The ids of the newest `limit + 1` hits, newest first (exported so tests can EXPLAIN it). */
export function searchHitsQuery(userId: string, query: string, { sessionId, limit }: SearchMessagesOptions): SQL {
  const m = chatMessages;
  const s = chatSessions;
  const p = chatSessionParticipants;
  return sql`with hits as materialized (
      select ${m.id} as id, ${m.createdAt} as created_at
      from ${m}
      join ${s} on ${s.sessionId} = ${m.sessionId}
      join ${p} on ${p.sessionId} = ${m.sessionId} and ${p.userId} = ${userId}
      where ${m.content} ilike ${likePattern(query)} and ${notDeleted()}
        ${sessionId === undefined ? sql`` : sql`and ${m.sessionId} = ${sessionId}`}
    )
    select id::int as id from hits order by created_at desc, id desc limit ${limit + 1}`;
}

export function searchQueries(db: Db): Pick<ChatRepository, "searchMessages"> {
  return {
    async searchMessages(userId, query, { sessionId, limit }) {
      const m = chatMessages;
      const s = chatSessions;
      const hits = await queryRows<{ id: number }>(db, searchHitsQuery(userId, query, { sessionId, limit }));
      if (hits.length === 0) return [];
      const ids = hits.map((hit) => Number(hit.id));
      const rows = await db
        .select({ message: m, sessionTitle: s.title })
        .from(m)
        .innerJoin(s, eq(s.sessionId, m.sessionId))
        .where(inArray(m.id, ids));
      const byId = new Map(rows.map((row) => [row.message.id, row]));
      return ids.flatMap((id) => {
        const row = byId.get(id);
        return row ? [row] : [];
      });
    },
  };
}
