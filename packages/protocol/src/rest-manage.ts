import { z } from "zod";
import {
  contentSchema,
  isoTimestamp,
  messageTypeSchema,
  metadataSchema,
  senderTypeSchema,
  seqSchema,
  sessionIdSchema,
  sessionStatusSchema,
} from "./common";

/**
 * REST bodies beyond the spec's list: session changes, participants, edits, read markers and
 * search (the spec's sprint 3 "메시지 검색 API").
 */

const userIdSchema = z.string().trim().min(1).max(100);

/** PATCH /sessions/{id}. `status` is the owner's; title and metadata any participant's. */
export const updateSessionRequest = z
  .object({
    title: z.string().max(200).nullable().optional(),
    metadata: metadataSchema.nullable().optional(),
    status: z.enum(["active", "archived"]).optional(),
  })
  .refine((b) => b.title !== undefined || b.metadata !== undefined || b.status !== undefined, {
    message: "give at least one of title, metadata, status",
  });
export type UpdateSessionRequest = z.infer<typeof updateSessionRequest>;

/** A session as PATCH and restore return it. */
export const sessionResource = z.object({
  session_id: z.string(),
  trace_id: z.string().nullable(),
  user_id: z.string(),
  agent_id: z.int().nullable(),
  title: z.string().nullable(),
  status: sessionStatusSchema,
  metadata: metadataSchema.nullable(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp.nullable(),
  ended_at: isoTimestamp.nullable(),
});
export type SessionResource = z.infer<typeof sessionResource>;

export const participantRoleSchema = z.enum(["owner", "member"]);

/** POST /sessions/{id}/participants (owner only). There is one owner: added users are members. */
export const addParticipantRequest = z.object({
  user_id: userIdSchema,
  role: z.literal("member").default("member"),
});
export type AddParticipantRequest = z.infer<typeof addParticipantRequest>;

export const participantResource = z.object({
  session_id: z.string(),
  user_id: z.string(),
  role: participantRoleSchema,
  last_read_seq: z.int(),
  joined_at: isoTimestamp.nullable(),
});
export type ParticipantResource = z.infer<typeof participantResource>;

export const listParticipantsResponse = z.object({ participants: z.array(participantResource) });
export type ListParticipantsResponse = z.infer<typeof listParticipantsResponse>;

export const removeParticipantResponse = z.object({
  message: z.string(),
  session_id: z.string(),
  user_id: z.string(),
});
export type RemoveParticipantResponse = z.infer<typeof removeParticipantResponse>;

/** PATCH /sessions/{id}/messages/{message_id}: the sender edits their own text message. */
export const editMessageRequest = z.object({ content: contentSchema });
export type EditMessageRequest = z.infer<typeof editMessageRequest>;

/** POST /sessions/{id}/read: everything up to `seq` is read (the marker only moves forward). */
export const markReadRequest = z.object({ seq: seqSchema });
export type MarkReadRequest = z.infer<typeof markReadRequest>;

export const markReadResponse = z.object({
  session_id: z.string(),
  /** The marker after the call: never lower than before, never past the session's last seq. */
  last_read_seq: z.int(),
});
export type MarkReadResponse = z.infer<typeof markReadResponse>;

/** GET /search. */
export const searchQuery = z.object({
  q: z.string().trim().min(1).max(200),
  session_id: sessionIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type SearchQuery = z.infer<typeof searchQuery>;

export const searchResult = z.object({
  message_id: z.string(),
  session_id: z.string(),
  session_title: z.string().nullable(),
  seq: z.int(),
  sender_type: senderTypeSchema,
  sender_id: z.string(),
  message_type: messageTypeSchema,
  created_at: isoTimestamp,
  /**
   * Up to ~160 characters of the content around the first match, HTML-escaped (`& < > " '`),
   * every case-insensitive occurrence of the query wrapped in `<mark>…</mark>`, and `…` where
   * text was cut. Safe to insert as HTML; the only tags in it are `<mark>` and `</mark>`.
   */
  snippet: z
    .string()
    .describe(
      "Up to ~160 characters of the content around the first match. HTML-escaped (& < > \" ' become entities); every case-insensitive occurrence of the query is wrapped in <mark>…</mark>; … marks where text was cut. Safe to insert as HTML: the only tags are <mark> and </mark>.",
    ),
});
export type SearchResult = z.infer<typeof searchResult>;

export const searchResponse = z.object({
  query: z.string(),
  results: z.array(searchResult),
  has_more: z.boolean(),
});
export type SearchResponse = z.infer<typeof searchResponse>;
