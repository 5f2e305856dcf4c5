import { z } from "zod";
import {
  clientMsgIdSchema,
  contentSchema,
  isoTimestamp,
  messageStatusSchema,
  messageTypeSchema,
  metadataSchema,
  senderTypeSchema,
  sessionStatusSchema,
} from "./common";
import { errorCodes } from "./errors";

/** REST request and response bodies of `/api/chat/*` (the spec's "API 명세"). */

export const createSessionRequest = z.object({
  agent_id: z.int().min(1).nullable().optional(),
  title: z.string().max(200).nullable().optional(),
  metadata: metadataSchema.nullable().optional(),
});
export type CreateSessionRequest = z.infer<typeof createSessionRequest>;

export const sessionCreatedResponse = z.object({
  session_id: z.string(),
  trace_id: z.string().nullable(),
  user_id: z.string(),
  agent_id: z.int().nullable(),
  title: z.string().nullable(),
  status: sessionStatusSchema,
  created_at: isoTimestamp,
});
export type SessionCreatedResponse = z.infer<typeof sessionCreatedResponse>;

/** Query strings arrive as text: numbers are coerced, bounds enforced. */
export const listSessionsQuery = z.object({
  status: z.enum(["active", "archived"]).optional(),
  agent_id: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListSessionsQuery = z.infer<typeof listSessionsQuery>;

export const sessionListItem = z.object({
  session_id: z.string(),
  title: z.string().nullable(),
  agent_id: z.int().nullable(),
  agent_name: z.string().nullable(),
  last_message: z.string().nullable(),
  last_message_at: isoTimestamp.nullable(),
  unread_count: z.int(),
  status: sessionStatusSchema,
  created_at: isoTimestamp,
});
export const listSessionsResponse = z.object({
  sessions: z.array(sessionListItem),
  total: z.int(),
  has_more: z.boolean(),
});
export type SessionListItem = z.infer<typeof sessionListItem>;
export type ListSessionsResponse = z.infer<typeof listSessionsResponse>;

export const agentSummary = z.object({
  id: z.int(),
  name: z.string(),
  avatar_url: z.string().nullable(),
});

export const sessionDetailResponse = z.object({
  session_id: z.string(),
  trace_id: z.string().nullable(),
  user_id: z.string(),
  agent_id: z.int().nullable(),
  agent: agentSummary.nullable(),
  title: z.string().nullable(),
  status: sessionStatusSchema,
  metadata: metadataSchema.nullable(),
  participants: z.array(z.string()),
  message_count: z.int(),
  last_seq: z.int(),
  created_at: isoTimestamp,
  last_activity: isoTimestamp,
});
export type SessionDetailResponse = z.infer<typeof sessionDetailResponse>;

export const deleteSessionResponse = z.object({ message: z.string(), session_id: z.string() });

/**
 * `before`/`after` accept a seq (an integer, the exact cursor) or an ISO time (as in the spec).
 */
const cursorSchema = z.union([
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
]);
export const listMessagesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: cursorSchema
    .optional()
    .describe("Messages before this cursor: a seq (exact) or an ISO 8601 time with offset (created_at)."),
  after: cursorSchema
    .optional()
    .describe("Messages after this cursor: a seq (exact) or an ISO 8601 time with offset (created_at)."),
});
export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;

export const messageResource = z.object({
  message_id: z.string(),
  session_id: z.string(),
  seq: z.int(),
  sender_type: senderTypeSchema,
  sender_id: z.string(),
  message_type: messageTypeSchema,
  content: z.string().nullable(),
  metadata: metadataSchema.nullable().optional(),
  status: messageStatusSchema,
  client_msg_id: z.string().nullable().optional(),
  is_edited: z.boolean(),
  edited_at: isoTimestamp.nullable(),
  created_at: isoTimestamp,
});
export type MessageResource = z.infer<typeof messageResource>;

export const listMessagesResponse = z.object({
  messages: z.array(messageResource),
  has_more: z.boolean(),
  total: z.int(),
});
export type ListMessagesResponse = z.infer<typeof listMessagesResponse>;

export const postMessageRequest = z.object({
  content: contentSchema,
  message_type: z.literal("text").default("text"),
  metadata: metadataSchema.nullable().optional(),
  client_msg_id: clientMsgIdSchema.optional(),
});
export type PostMessageRequest = z.infer<typeof postMessageRequest>;

export const postMessageResponse = z.object({
  message_id: z.string(),
  status: z.literal("sent"),
  seq: z.int(),
  created_at: isoTimestamp,
});
export type PostMessageResponse = z.infer<typeof postMessageResponse>;

export const streamMessageRequest = postMessageRequest.extend({
  stream: z.boolean().optional(),
});
export type StreamMessageRequest = z.infer<typeof streamMessageRequest>;

/** Every REST error: `{ error: { code, message, details? } }`. */
export const errorEnvelope = z.object({
  error: z.object({
    code: z.enum(errorCodes),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelope>;
