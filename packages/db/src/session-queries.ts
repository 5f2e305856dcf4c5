import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { newSessionId } from "./ids.js";
import { single } from "./raw.js";
import { chatSessionParticipants, chatSessions } from "./schema.js";
import type { ChatRepository, CreateSessionInput, SessionRow } from "./types.js";

type SessionQueries = Pick<ChatRepository, "createSession" | "ensureSession" | "getSession" | "getSessionForUser">;

/** Sessions: creation (with the owner participant, atomically) and lookups. */
export function sessionQueries(db: Db): SessionQueries {
  const sessionValues = (input: CreateSessionInput) => ({
    sessionId: input.sessionId ?? newSessionId(),
    traceId: input.traceId ?? randomUUID(),
    userId: input.userId,
    agentId: input.agentId ?? null,
    title: input.title ?? null,
    metadata: input.metadata ?? null,
  });

  return {
    createSession(input) {
      return db.transaction(async (tx) => {
        const values = sessionValues(input);
        const rows = await tx.insert(chatSessions).values(values).returning();
        await tx.insert(chatSessionParticipants).values({
          sessionId: values.sessionId,
          userId: input.userId,
          role: "owner",
        });
        return single(rows, "insert chat_sessions");
      });
    },

    ensureSession(sessionId, userId) {
      // Two connects to a new session can race. ON CONFLICT DO NOTHING makes the loser wait
      // for the winner's commit and then insert nothing; it then reads the winner's row.
      return db.transaction(async (tx) => {
        const [inserted] = await tx
          .insert(chatSessions)
          .values(sessionValues({ sessionId, userId }))
          .onConflictDoNothing({ target: chatSessions.sessionId })
          .returning();
        if (inserted) {
          await tx.insert(chatSessionParticipants).values({ sessionId, userId, role: "owner" });
          return { session: inserted, created: true };
        }
        const rows = await tx.select().from(chatSessions).where(eq(chatSessions.sessionId, sessionId));
        return { session: single(rows, "select chat_sessions"), created: false };
      });
    },

    async getSession(sessionId): Promise<SessionRow | undefined> {
      const [row] = await db.select().from(chatSessions).where(eq(chatSessions.sessionId, sessionId));
      return row;
    },

    async getSessionForUser(sessionId, userId) {
      const [row] = await db
        .select({ session: chatSessions })
        .from(chatSessions)
        .innerJoin(
          chatSessionParticipants,
          and(
            eq(chatSessionParticipants.sessionId, chatSessions.sessionId),
            eq(chatSessionParticipants.userId, userId),
          ),
        )
        .where(and(eq(chatSessions.sessionId, sessionId), notDeleted()));
      return row?.session;
    },
  };
}

/** Soft-deleted sessions are invisible; a NULL status (spec allows it) counts as visible. */
export const notDeleted = () => sql`${chatSessions.status} is distinct from 'deleted'`;
