import { describe, expect, test } from "vitest";
import { uid, useRepository } from "./test-helpers.js";
import type { CreateFileInput } from "./types.js";

const { repo } = useRepository();

async function upload(extra: Partial<CreateFileInput> = {}) {
  const userId = uid("u");
  const session = await repo().createSession({ userId });
  const fileId = uid("file");
  const input: CreateFileInput = {
    fileId,
    sessionId: session.sessionId,
    fileName: "report.pdf",
    fileType: "application/pdf",
    fileSize: 1234,
    fileUrl: `/files/${fileId}`,
    uploadedBy: userId,
    storageKey: `ab/${fileId}`,
    sha256: "a".repeat(64),
    ...extra,
  };
  return { userId, sessionId: session.sessionId, file: await repo().createFile(input) };
}

describe("files", () => {
  test("createFile stores a detached upload and getFile reads it back", async () => {
    const { file, sessionId, userId } = await upload();
    expect(file).toMatchObject({
      sessionId,
      messageId: null,
      fileName: "report.pdf",
      fileType: "application/pdf",
      fileSize: 1234,
      thumbnailUrl: null,
      uploadedBy: userId,
      sha256: "a".repeat(64),
    });
    expect(file.uploadedAt).toBeInstanceOf(Date);
    await expect(repo().getFile(file.fileId)).resolves.toEqual(file);
    await expect(repo().getFile(uid("file"))).resolves.toBeUndefined();
  });

  test("attachFileToMessage attaches once; a second attach gets undefined", async () => {
    const { file, sessionId, userId } = await upload();
    const base = { sessionId, senderType: "user", senderId: userId, messageType: "file", content: "" } as const;
    const { message } = await repo().appendMessage(base);
    const { message: other } = await repo().appendMessage(base);
    const attached = await repo().attachFileToMessage(file.fileId, message.messageId);
    expect(attached?.messageId).toBe(message.messageId);
    await expect(repo().attachFileToMessage(file.fileId, other.messageId)).resolves.toBeUndefined();
    await expect(repo().attachFileToMessage(uid("file"), other.messageId)).resolves.toBeUndefined();
    const listed = await repo().listFilesByMessage(message.messageId);
    expect(listed.map((f) => f.fileId)).toEqual([file.fileId]);
    await expect(repo().listFilesByMessage(other.messageId)).resolves.toEqual([]);
    const inSession = await repo().listFilesBySession(sessionId);
    expect(inSession.map((f) => f.fileId)).toEqual([file.fileId]);
  });

  test("deleteFile removes the row and says whether there was one", async () => {
    const { file } = await upload();
    await expect(repo().deleteFile(file.fileId)).resolves.toBe(true);
    await expect(repo().deleteFile(file.fileId)).resolves.toBe(false);
    await expect(repo().getFile(file.fileId)).resolves.toBeUndefined();
  });

  test("file ids are unique", async () => {
    const { file, sessionId, userId } = await upload();
    await expect(
      repo().createFile({
        fileId: file.fileId,
        sessionId,
        fileName: "x",
        fileType: "text/plain",
        fileSize: 1,
        uploadedBy: userId,
        storageKey: "k",
        sha256: "b".repeat(64),
      }),
    ).rejects.toThrow();
  });
});
