import { z } from "zod";

/** What a `file` message's `metadata.file` and an upload answer say about the file. */
export const fileInfoSchema = z.object({
  /** Cleaned display name; never a path. */
  name: z.string(),
  /** Type detected from the bytes (not the client's claim). */
  type: z.string(),
  size: z.int().min(0),
});

/** `metadata` of a `file` message: stable, unsigned paths (they work with a Bearer token). */
export const fileMessageMetadataSchema = z.object({
  file: fileInfoSchema.extend({
    file_id: z.string(),
    url: z.string(),
    thumbnail_url: z.string().nullable(),
  }),
});

/** 201 of `POST /api/chat/sessions/{id}/files` (and 200 of `GET /api/chat/files/{file_id}`). */
export const uploadFileResponseSchema = z.object({
  file_id: z.string(),
  /** Short-lived signed URL: works in `<img src>` without a header until it expires. */
  file_url: z.string(),
  /** Signed like `file_url`; null when the file is not an image. */
  thumbnail_url: z.string().nullable(),
  /** The `file` message; null for an upload with `?attach=false` (attach it with the WS `file` frame). */
  message_id: z.string().nullable(),
  file_info: fileInfoSchema,
});

export type FileInfo = z.infer<typeof fileInfoSchema>;
export type FileMessageMetadata = z.infer<typeof fileMessageMetadataSchema>;
export type UploadFileResponse = z.infer<typeof uploadFileResponseSchema>;
