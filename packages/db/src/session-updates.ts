import { and, eq } from "drizzle-orm";
import type { Db } from "./client.js";
import { chatSessionParticipants, chatSessions } from "./schema.js";
import { notDeleted } from "./session-queries.js";
import type { ChatRepository } from "./types.js";

type SessionUpdates = Pick<ChatRepository, "getMembership" | "updateSession">;

/** Who a user is in a session (for permission checks) and session changes (PATCH, delete, restore). */
export function sessionUpdates(db: Db): SessionUpdates {
  return {
    async getMembership(sessionId, userId, options = {}) {
      const [row] = await db
        .select({ session: chatSessions, participant: chatSessionParticipants })
        .from(chatSessions)
        .innerJoin(
          chatSessionParticipants,
          and(
            eq(chatSessionParticipants.sessionId, chatSessions.sessionId),
            eq(chatSessionParticipants.userId, userId),
          ),
        )
        .where(and(eq(chatSessions.sessionId, sessionId), options.includeDeleted ? undefined : notDeleted()));
      return row;
    },

    async updateSession(sessionId, patch) {
      // Only the keys present change; updated_at always moves (it orders the session list).
      const set = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
      const [row] = await db
        .update(chatSessions)
        .set({ ...set, updatedAt: new Date() })
        .where(eq(chatSessions.sessionId, sessionId))
        .returning();
      return row;
    },
  };
}
