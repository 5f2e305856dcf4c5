import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "./client.js";
import { single } from "./raw.js";
import { chatFiles } from "./schema.js";
import type { ChatRepository } from "./types.js";

type FileQueries = Pick<
  ChatRepository,
  "createFile" | "getFile" | "attachFileToMessage" | "listFilesByMessage" | "listFilesBySession" | "deleteFile"
>;

/** Uploaded files: one row per upload, attached to at most one message. */
export function fileQueries(db: Db): FileQueries {
  return {
    async createFile(input) {
      const rows = await db
        .insert(chatFiles)
        .values({
          fileId: input.fileId,
          sessionId: input.sessionId,
          messageId: input.messageId ?? null,
          fileName: input.fileName,
          fileType: input.fileType,
          fileSize: input.fileSize,
          fileUrl: input.fileUrl ?? null,
          thumbnailUrl: input.thumbnailUrl ?? null,
          uploadedBy: input.uploadedBy,
          storageKey: input.storageKey,
          sha256: input.sha256,
        })
        .returning();
      return single(rows, "insert chat_files");
    },

    async getFile(fileId) {
      const [row] = await db.select().from(chatFiles).where(eq(chatFiles.fileId, fileId));
      return row;
    },

    async attachFileToMessage(fileId, messageId) {
      // Conditional on `message_id IS NULL`: of two concurrent attaches only one wins.
      const [row] = await db
        .update(chatFiles)
        .set({ messageId })
        .where(and(eq(chatFiles.fileId, fileId), isNull(chatFiles.messageId)))
        .returning();
      return row;
    },

    async listFilesByMessage(messageId) {
      return db.select().from(chatFiles).where(eq(chatFiles.messageId, messageId)).orderBy(asc(chatFiles.id));
    },

    async listFilesBySession(sessionId) {
      return db.select().from(chatFiles).where(eq(chatFiles.sessionId, sessionId)).orderBy(asc(chatFiles.id));
    },

    async deleteFile(fileId) {
      const rows = await db.delete(chatFiles).where(eq(chatFiles.fileId, fileId)).returning({ id: chatFiles.id });
      return rows.length > 0;
    },
  };
}
