import type { MessageRow, SessionRow } from "@chat/db";
import type {
  MessageFrame,
  MessageResource,
  MessageStatus,
  MessageType,
  SenderType,
  SessionCreatedResponse,
  SessionStatus,
} from "@chat/protocol";

const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

/** A stored message as the live `message` frame every participant receives. */
export function messageToFrame(row: MessageRow): MessageFrame {
  return {
    type: "message",
    session_id: row.sessionId ?? "",
    message_id: row.messageId,
    seq: row.seq,
    event_seq: row.eventSeq,
    sender_type: row.senderType as SenderType,
    sender_id: row.senderId,
    message_type: row.messageType as MessageType,
    content: row.content,
    metadata: (row.metadata as Record<string, unknown> | null) ?? null,
    status: row.status as MessageStatus,
    client_msg_id: row.clientMsgId,
    is_edited: row.isEdited ?? false,
    edited_at: iso(row.editedAt),
    timestamp: iso(row.createdAt) ?? new Date().toISOString(),
  };
}

/** A stored message as a REST resource. */
export function messageToResource(row: MessageRow): MessageResource {
  const metadata = (row.metadata as Record<string, unknown> | null) ?? null;
  // The spec shows tokens_used / latency_ms of agent replies inside `metadata`.
  const withUsage =
    row.tokensUsed != null || row.latencyMs != null
      ? { ...metadata, tokens_used: row.tokensUsed, latency_ms: row.latencyMs }
      : metadata;
  return {
    message_id: row.messageId,
    session_id: row.sessionId ?? "",
    seq: row.seq,
    sender_type: row.senderType as SenderType,
    sender_id: row.senderId,
    message_type: row.messageType as MessageType,
    content: row.content,
    metadata: withUsage,
    status: row.status as MessageStatus,
    client_msg_id: row.clientMsgId,
    is_edited: row.isEdited ?? false,
    edited_at: iso(row.editedAt),
    created_at: iso(row.createdAt) ?? new Date().toISOString(),
  };
}

export function sessionToCreated(row: SessionRow): SessionCreatedResponse {
  return {
    session_id: row.sessionId,
    trace_id: row.traceId,
    user_id: row.userId,
    agent_id: row.agentId,
    title: row.title,
    status: row.status as SessionStatus,
    created_at: iso(row.createdAt) ?? new Date().toISOString(),
  };
}

export { iso as toIso };
