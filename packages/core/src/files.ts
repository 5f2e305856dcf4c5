import type { FileRow } from "@chat/db";
import type { FileMessageMetadata } from "@chat/protocol";

/** Unsigned download path of a file; `variant` "thumb" is its thumbnail. */
export const filePath = (fileId: string, variant: "file" | "thumb" = "file") =>
  variant === "thumb" ? `/files/${encodeURIComponent(fileId)}/thumb` : `/files/${encodeURIComponent(fileId)}`;

/** The `metadata` of the `file` message that carries `file` (REST upload and WS `file` frame alike). */
export function fileMessageMetadata(file: FileRow): FileMessageMetadata {
  return {
    file: {
      file_id: file.fileId,
      name: file.fileName,
      type: file.fileType ?? "application/octet-stream",
      size: file.fileSize ?? 0,
      url: filePath(file.fileId),
      thumbnail_url: file.thumbnailUrl ? filePath(file.fileId, "thumb") : null,
    },
  };
}
