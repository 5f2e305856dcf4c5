import {
  addParticipantRequest,
  createSessionRequest,
  deleteSessionResponse,
  type ErrorCode,
  editMessageRequest,
  listMessagesQuery,
  listMessagesResponse,
  listParticipantsResponse,
  listSessionsQuery,
  listSessionsResponse,
  markReadRequest,
  markReadResponse,
  messageResource,
  participantResource,
  postMessageRequest,
  postMessageResponse,
  removeParticipantResponse,
  searchQuery,
  searchResponse,
  sessionCreatedResponse,
  sessionDetailResponse,
  sessionResource,
  updateSessionRequest,
} from "@chat/protocol";
import type { z } from "zod";

/** One REST operation as the OpenAPI document describes it; the schemas are the ones the routes validate with. */
export interface Operation {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** Public operations need no bearer token. @default false */
  public?: boolean;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Success status → body schema. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** Error codes this operation can answer with, beyond 401 and validation. */
  errors: ErrorCode[];
}

const sessionPath = "/api/chat/sessions/{session_id}";

/** Every route of the api, in the order of the reference page. */
export const operations: Operation[] = [
  {
    method: "post",
    path: "/api/chat/sessions",
    tag: "Sessions",
    summary: "Create a session",
    description: "The caller becomes the owner. `agent_id` must name a known agent.",
    body: createSessionRequest,
    responses: { 201: { description: "Created", schema: sessionCreatedResponse } },
    errors: ["VALIDATION_ERROR", "INVALID_JSON"],
  },
  {
    method: "get",
    path: "/api/chat/sessions",
    tag: "Sessions",
    summary: "List the caller's sessions",
    description:
      "Sessions the caller takes part in (deleted ones hidden), most recent activity first. `unread_count` counts messages after the caller's read marker that others sent.",
    query: listSessionsQuery,
    responses: { 200: { description: "A page of sessions", schema: listSessionsResponse } },
    errors: ["VALIDATION_ERROR"],
  },
  {
    method: "get",
    path: sessionPath,
    tag: "Sessions",
    summary: "Session detail",
    responses: { 200: { description: "The session", schema: sessionDetailResponse } },
    errors: ["SESSION_NOT_FOUND"],
  },
  {
    method: "patch",
    path: sessionPath,
    tag: "Sessions",
    summary: "Change title, metadata or status",
    description:
      "Any participant may change `title` and `metadata`; only the owner may change `status` (`archived` sets `ended_at`, `active` clears it).",
    body: updateSessionRequest,
    responses: { 200: { description: "The changed session", schema: sessionResource } },
    errors: ["SESSION_NOT_FOUND", "FORBIDDEN", "VALIDATION_ERROR"],
  },
  {
    method: "delete",
    path: sessionPath,
    tag: "Sessions",
    summary: "Soft-delete a session (owner)",
    description:
      "Sets status `deleted` and `ended_at`; the session disappears from lists and every route answers 404 until it is restored.",
    responses: { 200: { description: "Deleted (the spec's wording)", schema: deleteSessionResponse } },
    errors: ["SESSION_NOT_FOUND", "FORBIDDEN"],
  },
  {
    method: "post",
    path: `${sessionPath}/restore`,
    tag: "Sessions",
    summary: "Restore a soft-deleted session (owner)",
    responses: { 200: { description: "The restored session (status active)", schema: sessionResource } },
    errors: ["SESSION_NOT_FOUND", "FORBIDDEN", "CONFLICT"],
  },
  {
    method: "get",
    path: `${sessionPath}/participants`,
    tag: "Participants",
    summary: "List participants",
    responses: { 200: { description: "Participants, earliest first", schema: listParticipantsResponse } },
    errors: ["SESSION_NOT_FOUND"],
  },
  {
    method: "post",
    path: `${sessionPath}/participants`,
    tag: "Participants",
    summary: "Add a member (owner)",
    body: addParticipantRequest,
    responses: { 201: { description: "Added", schema: participantResource } },
    errors: ["SESSION_NOT_FOUND", "FORBIDDEN", "CONFLICT", "VALIDATION_ERROR"],
  },
  {
    method: "delete",
    path: `${sessionPath}/participants/{user_id}`,
    tag: "Participants",
    summary: "Remove a member (owner) or leave (yourself)",
    description: "The owner cannot leave (409): a session always has its owner; delete the session instead.",
    responses: { 200: { description: "Removed", schema: removeParticipantResponse } },
    errors: ["SESSION_NOT_FOUND", "FORBIDDEN", "CONFLICT", "NOT_FOUND"],
  },
  {
    method: "get",
    path: `${sessionPath}/messages`,
    tag: "Messages",
    summary: "Page the history",
    description:
      "Without a cursor: the newest `limit` messages. `before`: the `limit` messages just before it; `after`: the `limit` messages just after it. Always in ascending `seq`. A `seq` cursor is exact: paging with the first/last `seq` of a page never skips or repeats a message, however many arrive meanwhile.",
    query: listMessagesQuery,
    responses: { 200: { description: "A page of messages", schema: listMessagesResponse } },
    errors: ["SESSION_NOT_FOUND", "VALIDATION_ERROR"],
  },
  {
    method: "post",
    path: `${sessionPath}/messages`,
    tag: "Messages",
    summary: "Send a message",
    description:
      "Stored, delivered live to WebSocket clients and answered by the session's agent, exactly like a WebSocket `message` frame. A retry with the same `client_msg_id` answers 200 with the original message.",
    body: postMessageRequest,
    responses: {
      201: { description: "Stored", schema: postMessageResponse },
      200: { description: "A retry of a stored `client_msg_id`", schema: postMessageResponse },
    },
    errors: ["SESSION_NOT_FOUND", "VALIDATION_ERROR"],
  },
  {
    method: "patch",
    path: `${sessionPath}/messages/{message_id}`,
    tag: "Messages",
    summary: "Edit your own text message",
    description:
      "Sets `is_edited` and `edited_at`. The edit is a new session event: WebSocket clients receive the updated `message` frame with a new `event_seq`.",
    body: editMessageRequest,
    responses: { 200: { description: "The edited message", schema: messageResource } },
    errors: ["SESSION_NOT_FOUND", "NOT_FOUND", "FORBIDDEN", "CONFLICT", "VALIDATION_ERROR"],
  },
  {
    method: "post",
    path: `${sessionPath}/read`,
    tag: "Read state",
    summary: "Mark messages read up to a seq",
    description: "The marker only moves forward and never past the session's last seq.",
    body: markReadRequest,
    responses: { 200: { description: "The marker now", schema: markReadResponse } },
    errors: ["SESSION_NOT_FOUND", "VALIDATION_ERROR"],
  },
  {
    method: "get",
    path: "/api/chat/search",
    tag: "Search",
    summary: "Search messages",
    description:
      "Case-insensitive substring search over the messages of the caller's (non-deleted) sessions, newest first. Queries of 3+ characters use the trigram index; 1–2 character queries (common in Korean) scan only the caller's own sessions. Each result has an HTML-safe `snippet` with `<mark>` around matches.",
    query: searchQuery,
    responses: { 200: { description: "Matches", schema: searchResponse } },
    errors: ["SESSION_NOT_FOUND", "VALIDATION_ERROR"],
  },
  {
    method: "get",
    path: "/api/chat/openapi.json",
    tag: "Docs",
    summary: "This document",
    public: true,
    responses: { 200: { description: "OpenAPI 3.1 document" } },
    errors: [],
  },
];
