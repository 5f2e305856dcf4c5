// Shared by the tests in this folder only (not exported from the package).
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll } from "vitest";
import type { Database, Db } from "./client.js";
import { createRepository } from "./repository.js";
import { chatSessions } from "./schema.js";
import { createTestDatabase } from "./testing.js";
import type { ChatRepository } from "./types.js";

/** A unique id, so tests sharing one database never see each other's rows. */
export const uid = (prefix: string) => `${prefix}_${randomBytes(6).toString("hex")}`;

/**
 * One migrated database per test file (an embedded one takes about a second to start),
 * closed after the file. Tests isolate themselves with {@link uid}.
 */
export function useRepository(): { database: () => Database; repo: () => ChatRepository } {
  let database: (Database & AsyncDisposable) | undefined;
  let repo: ChatRepository | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    repo = createRepository(database);
  });
  afterAll(() => database?.close());
  return {
    database: () => database ?? fail(),
    repo: () => repo ?? fail(),
  };
}

function fail(): never {
  throw new Error("database not open yet (use inside a test)");
}

/** Appends `count` text messages from `senderId`, one after another. */
export async function appendMany(repo: ChatRepository, sessionId: string, senderId: string, count: number) {
  const messages = [];
  for (let i = 1; i <= count; i++) {
    const { message } = await repo.appendMessage({
      sessionId,
      senderType: "user",
      senderId,
      messageType: "text",
      content: `message ${i}`,
    });
    messages.push(message);
  }
  return messages;
}

/** The repository has no status setter (soft delete belongs to the API); tests set it here. */
export async function setStatus(db: Db, sessionId: string, status: "archived" | "deleted") {
  await db.update(chatSessions).set({ status }).where(eq(chatSessions.sessionId, sessionId));
}
