import { z } from "zod";
import {
  finishReasonSchema,
  isoTimestamp,
  messageStatusSchema,
  messageTypeSchema,
  metadataSchema,
  senderTypeSchema,
} from "./common";
import { errorCodes } from "./errors";

/** Frames the server sends. Persisted events carry `seq`, the session's one cursor. */

export const readyFrame = z.object({
  type: z.literal("ready"),
  session_id: z.string(),
  user_id: z.string(),
  connection_id: z.string(),
  /** Highest seq stored in the session when the connection opened. */
  last_seq: z.int(),
  heartbeat_interval_ms: z.int(),
  server_time: isoTimestamp,
});

/** A stored message (user, agent or system) as every client sees it. */
export const messageFrame = z.object({
  type: z.literal("message"),
  session_id: z.string(),
  message_id: z.string(),
  /** The message's position in the session. */
  seq: z.int(),
  /**
   * The seq of the event this frame reports: equal to `seq` for a new message, higher for an
   * edit or a finished agent reply. It is the recovery cursor (`since_seq`) and the dedupe key.
   */
  event_seq: z.int(),
  sender_type: senderTypeSchema,
  sender_id: z.string(),
  message_type: messageTypeSchema,
  content: z.string().nullable(),
  metadata: metadataSchema.nullable().optional(),
  status: messageStatusSchema.optional(),
  /** Echo of the sender's id: this is the sender's acknowledgement. */
  client_msg_id: z.string().nullable().optional(),
  is_edited: z.boolean().optional(),
  edited_at: isoTimestamp.nullable().optional(),
  timestamp: isoTimestamp,
});

export const typingFrame = z.object({
  type: z.literal("typing"),
  session_id: z.string(),
  user_id: z.string(),
  is_typing: z.boolean(),
  timestamp: isoTimestamp,
});

export const systemEventSchema = z.enum(["user_joined", "user_left", "session_updated"]);

export const systemFrame = z.object({
  type: z.literal("system"),
  session_id: z.string(),
  event: systemEventSchema,
  user_id: z.string().optional(),
  timestamp: isoTimestamp,
});

export const streamStartFrame = z.object({
  type: z.literal("stream_start"),
  session_id: z.string(),
  message_id: z.string(),
  seq: z.int(),
  sender_type: z.literal("agent"),
  sender_id: z.string(),
  /** The user message this reply answers. */
  reply_to: z.string().optional(),
  /** 1 on the first try; a higher attempt replaces what earlier attempts streamed. */
  attempt: z.int().min(1),
  timestamp: isoTimestamp,
});

export const streamChunkFrame = z.object({
  type: z.literal("stream_chunk"),
  session_id: z.string(),
  message_id: z.string(),
  content: z.string(),
  /** From 0, no gaps within one attempt. */
  index: z.int().min(0),
  attempt: z.int().min(1).optional(),
});

export const streamEndFrame = z.object({
  type: z.literal("stream_end"),
  session_id: z.string(),
  message_id: z.string(),
  tokens_used: z.int().nullable(),
  latency_ms: z.int().nullable(),
  finish_reason: finishReasonSchema,
  attempt: z.int().min(1).optional(),
  /** The seq of the stored, finished reply (recovery cursor), when it was stored. */
  event_seq: z.int().optional(),
});

export const errorFrame = z.object({
  type: z.literal("error"),
  code: z.enum(errorCodes),
  message: z.string(),
  retry_after: z.int().optional(),
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /** The client_msg_id or message_id the error is about, when there is one. */
  ref: z.string().optional(),
});

export const pongFrame = z.object({ type: z.literal("pong"), server_time: isoTimestamp });

export const serverFrame = z.discriminatedUnion("type", [
  readyFrame,
  messageFrame,
  typingFrame,
  systemFrame,
  streamStartFrame,
  streamChunkFrame,
  streamEndFrame,
  errorFrame,
  pongFrame,
]);

export type ServerFrame = z.infer<typeof serverFrame>;
export type ServerFrameType = ServerFrame["type"];
export type ReadyFrame = z.infer<typeof readyFrame>;
export type MessageFrame = z.infer<typeof messageFrame>;
export type TypingFrame = z.infer<typeof typingFrame>;
export type SystemFrame = z.infer<typeof systemFrame>;
export type StreamStartFrame = z.infer<typeof streamStartFrame>;
export type StreamChunkFrame = z.infer<typeof streamChunkFrame>;
export type StreamEndFrame = z.infer<typeof streamEndFrame>;
export type ErrorFrame = z.infer<typeof errorFrame>;

/** SSE events of `POST .../messages/stream` share the stream frames' shapes. */
export const sseEvent = z.discriminatedUnion("type", [streamStartFrame, streamChunkFrame, streamEndFrame, errorFrame]);
export type SseEvent = z.infer<typeof sseEvent>;
