import { and, desc, eq, ilike } from "drizzle-orm";
import type { Db } from "./client.js";
import { chatMessages, chatSessionParticipants, chatSessions } from "./schema.js";
import { notDeleted } from "./session-queries.js";
import type { ChatRepository } from "./types.js";

/** `%`, `_` and the escape character itself match literally. */
export function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Substring search over message content, restricted to the caller's sessions.
 *
 * `ILIKE '%q%'` is served by the pg_trgm GIN index (idx_chat_messages_content_trgm) when `q`
 * has at least one trigram (3+ characters). Korean words are often 1–2 syllables, which have no
 * trigram: for those the planner instead walks the caller's sessions (participants by user_id,
 * then messages by session_id) and filters, so a short query costs in proportion to the
 * caller's own history, never the whole table. One statement either way; PostgreSQL picks.
 */
export function searchQueries(db: Db): Pick<ChatRepository, "searchMessages"> {
  return {
    async searchMessages(userId, query, { sessionId, limit }) {
      const rows = await db
        .select({ message: chatMessages, sessionTitle: chatSessions.title })
        .from(chatMessages)
        .innerJoin(chatSessions, eq(chatSessions.sessionId, chatMessages.sessionId))
        .innerJoin(
          chatSessionParticipants,
          and(
            eq(chatSessionParticipants.sessionId, chatMessages.sessionId),
            eq(chatSessionParticipants.userId, userId),
          ),
        )
        .where(
          and(
            ilike(chatMessages.content, likePattern(query)),
            notDeleted(),
            sessionId === undefined ? undefined : eq(chatMessages.sessionId, sessionId),
          ),
        )
        .orderBy(desc(chatMessages.createdAt), desc(chatMessages.id))
        .limit(limit + 1);
      return rows;
    },
  };
}
