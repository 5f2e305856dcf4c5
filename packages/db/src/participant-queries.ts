import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { NotFoundError } from "./errors.js";
import { single } from "./raw.js";
import { chatSessionParticipants, chatSessions } from "./schema.js";
import type { ChatRepository } from "./types.js";

type ParticipantQueries = Pick<
  ChatRepository,
  "addParticipant" | "removeParticipant" | "isParticipant" | "listParticipants" | "markRead"
>;

const participant = chatSessionParticipants;
const is = (sessionId: string, userId: string) =>
  and(eq(participant.sessionId, sessionId), eq(participant.userId, userId));

/** Membership of sessions and per-user read markers. */
export function participantQueries(db: Db): ParticipantQueries {
  return {
    async addParticipant(sessionId, userId, role) {
      // Adding someone twice keeps the first row (and its role and read marker) unchanged.
      const [added] = await db
        .insert(participant)
        .values({ sessionId, userId, role })
        .onConflictDoNothing()
        .returning();
      if (added) return { participant: added, added: true };
      const rows = await db.select().from(participant).where(is(sessionId, userId));
      return { participant: single(rows, "select chat_session_participants"), added: false };
    },

    async removeParticipant(sessionId, userId) {
      const removed = await db
        .delete(participant)
        .where(is(sessionId, userId))
        .returning({ userId: participant.userId });
      return removed.length > 0;
    },

    async isParticipant(sessionId, userId) {
      const rows = await db.select({ one: sql`1` }).from(participant).where(is(sessionId, userId)).limit(1);
      return rows.length > 0;
    },

    listParticipants(sessionId) {
      return db
        .select()
        .from(participant)
        .where(eq(participant.sessionId, sessionId))
        .orderBy(asc(participant.joinedAt), asc(participant.userId));
    },

    async markRead(sessionId, userId, seq) {
      // Forward only (a late, stale marker from another tab must not un-read messages) and
      // never past the session's last seq (a bogus seq must not pre-read future messages).
      const [row] = await db
        .update(participant)
        .set({
          lastReadSeq: sql`greatest(${participant.lastReadSeq}, least(${seq}::bigint,
            (select ${chatSessions.lastSeq} from ${chatSessions}
              where ${chatSessions.sessionId} = ${sessionId})))`,
        })
        .where(is(sessionId, userId))
        .returning({ lastReadSeq: participant.lastReadSeq });
      if (!row) throw new NotFoundError("participant", `${userId} in ${sessionId}`);
      return row.lastReadSeq;
    },
  };
}
