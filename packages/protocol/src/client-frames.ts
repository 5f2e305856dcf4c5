import { z } from "zod";
import {
  clientMsgIdSchema,
  contentSchema,
  fileIdSchema,
  isoTimestamp,
  messageIdSchema,
  metadataSchema,
  seqSchema,
} from "./common";

/** Frames a client sends to the WebSocket edge. */

export const clientMessageFrame = z.object({
  type: z.literal("message"),
  content: contentSchema,
  client_msg_id: clientMsgIdSchema.optional(),
  /** The client's clock, informational only: the server's time is authoritative. */
  timestamp: isoTimestamp.optional(),
  metadata: metadataSchema.optional(),
});

export const clientTypingFrame = z.object({
  type: z.literal("typing"),
  is_typing: z.boolean(),
});

export const clientFileFrame = z.object({
  type: z.literal("file"),
  file_id: fileIdSchema,
  message: z.string().max(32_000).optional(),
  client_msg_id: clientMsgIdSchema.optional(),
});

/** Stop an agent reply that is streaming. */
export const clientCancelFrame = z.object({
  type: z.literal("cancel"),
  message_id: messageIdSchema,
});

/** Ask for every stored event after `since_seq` (recovery without reconnecting). */
export const clientSyncFrame = z.object({
  type: z.literal("sync"),
  since_seq: seqSchema,
});

/** Move the caller's read marker to `seq`. */
export const clientReadFrame = z.object({
  type: z.literal("read"),
  seq: seqSchema,
});

/** Application-level keepalive for environments that cannot see WS pings. */
export const clientPingFrame = z.object({
  type: z.literal("ping"),
});

export const clientFrameSchemas = {
  message: clientMessageFrame,
  typing: clientTypingFrame,
  file: clientFileFrame,
  cancel: clientCancelFrame,
  sync: clientSyncFrame,
  read: clientReadFrame,
  ping: clientPingFrame,
} as const;

export const clientFrame = z.discriminatedUnion("type", [
  clientMessageFrame,
  clientTypingFrame,
  clientFileFrame,
  clientCancelFrame,
  clientSyncFrame,
  clientReadFrame,
  clientPingFrame,
]);

export type ClientFrame = z.infer<typeof clientFrame>;
export type ClientFrameType = ClientFrame["type"];
export type ClientMessageFrame = z.infer<typeof clientMessageFrame>;
export type ClientTypingFrame = z.infer<typeof clientTypingFrame>;
export type ClientFileFrame = z.infer<typeof clientFileFrame>;
export type ClientCancelFrame = z.infer<typeof clientCancelFrame>;
export type ClientSyncFrame = z.infer<typeof clientSyncFrame>;
export type ClientReadFrame = z.infer<typeof clientReadFrame>;
