import { type ChatService, fileMessageMetadata, filePath, newId } from "@chat/core";
import type { ChatRepository, FileRow, SessionRow } from "@chat/db";
import type { UploadFileResponse } from "@chat/protocol";
import type { Request } from "express";
import type { ResolvedFilesOptions } from "./options";
import { receiveUpload } from "./receive-upload";
import { canThumbnail, makeThumbnail, thumbKeyOf } from "./thumbnails";

export interface UploadContext {
  repo: ChatRepository;
  chat: ChatService;
  files: ResolvedFilesOptions;
}

/** The upload answer, with fresh signed URLs. */
export function uploadResponse(file: FileRow, signer: ResolvedFilesOptions["signer"]): UploadFileResponse {
  return {
    file_id: file.fileId,
    file_url: signer.sign(file.fileId, "file"),
    thumbnail_url: file.thumbnailUrl ? signer.sign(file.fileId, "thumb") : null,
    message_id: file.messageId,
    file_info: { name: file.fileName, type: file.fileType ?? "application/octet-stream", size: file.fileSize ?? 0 },
  };
}

/**
 * One upload: bytes to storage (checked and hashed on the way), a thumbnail for images, the
 * `chat_files` row and, when `attach`, the `file` message through the shared message path.
 * Whatever fails, nothing of the upload is left in storage or in the database.
 */
export async function handleUpload(
  ctx: UploadContext,
  req: Request,
  input: { session: SessionRow; userId: string; attach: boolean },
): Promise<FileRow> {
  const { storage } = ctx.files;
  const fileId = newId("file");
  // Server-made key, sharded by two id characters so no directory grows without bound.
  const storageKey = `${fileId.slice(5, 7)}/${fileId}`;
  const received = await receiveUpload(req, {
    storage,
    storageKey,
    maxFileSize: ctx.files.maxFileSize,
    allowedTypes: ctx.files.allowedTypes,
  });

  let row: FileRow | undefined;
  try {
    const thumbnail =
      canThumbnail(received.type) &&
      (await makeThumbnail(storage, storageKey, {
        maxPixels: ctx.files.maxImagePixels,
        size: ctx.files.thumbnailSize,
      }));
    row = await ctx.repo.createFile({
      fileId,
      sessionId: input.session.sessionId,
      fileName: received.name,
      fileType: received.type,
      fileSize: received.size,
      fileUrl: filePath(fileId),
      thumbnailUrl: thumbnail ? filePath(fileId, "thumb") : null,
      uploadedBy: input.userId,
      storageKey,
      sha256: received.sha256,
    });
    if (!input.attach) return row;
    // The row exists before the message is published, so a client that sees the message can fetch the file.
    const { message } = await ctx.chat.postUserMessage({
      session: input.session,
      userId: input.userId,
      messageType: "file",
      content: received.message ?? "",
      metadata: fileMessageMetadata(row),
    });
    return (await ctx.repo.attachFileToMessage(fileId, message.messageId)) ?? row;
  } catch (error) {
    if (row) await ctx.repo.deleteFile(fileId).catch(() => {});
    await Promise.all([storage.delete(storageKey), storage.delete(thumbKeyOf(storageKey))]).catch(() => {});
    throw error;
  }
}
