/**
 * Drizzle schema: the spec's tables (chat_sessions, chat_messages, chat_files) with every column,
 * check constraint and index it lists, plus what the design adds for per-session sequence
 * numbers and participants.
 *
 * Deliberate deviation from the spec: every timestamp is `timestamp with time zone` instead of
 * `timestamp`, so a stored value is an unambiguous instant whatever the server's TimeZone is.
 *
 * Constraint names follow what PostgreSQL would name the spec's inline constraints
 * (`<table>_<column>_key`, `<table>_<column>_fkey`, `<table>_pkey`), so the database looks as
 * if it had been created from the spec's DDL.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  unique,
  varchar,
} from "drizzle-orm/pg-core";

/** Values of `chat_sessions.status`; 'deleted' is a soft delete. */
export const sessionStatuses = ["active", "archived", "deleted"] as const;
/** Values of `chat_messages.sender_type`. */
export const senderTypes = ["user", "agent", "system"] as const;
/** Values of `chat_messages.message_type`. */
export const messageTypes = ["text", "stream", "file", "system"] as const;
/** Values of `chat_messages.status`: agent replies are 'streaming' until they end. */
export const messageStatuses = ["complete", "streaming", "cancelled", "error"] as const;
/** Values of `chat_session_participants.role`. */
export const participantRoles = ["owner", "member"] as const;

const timestamptz = (name: string) => timestamp(name, { withTimezone: true });

export const chatSessions = pgTable(
  "chat_sessions",
  {
    id: serial("id").primaryKey(),
    sessionId: varchar("session_id", { length: 100 }).notNull(),
    traceId: varchar("trace_id", { length: 100 }),
    userId: varchar("user_id", { length: 100 }).notNull(),
    agentId: integer("agent_id"),
    title: varchar("title", { length: 200 }),
    status: varchar("status", { length: 20, enum: sessionStatuses }).default("active"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
    createdAt: timestamptz("created_at").default(sql`CURRENT_TIMESTAMP`),
    updatedAt: timestamptz("updated_at").default(sql`CURRENT_TIMESTAMP`),
    endedAt: timestamptz("ended_at"),
    // Per-session sequence counter: `UPDATE ... SET last_seq = last_seq + 1 RETURNING last_seq`
    // assigns the next seq and its row lock serializes writers of one session.
    lastSeq: bigint("last_seq", { mode: "number" }).notNull().default(0),
  },
  (t) => [
    unique("chat_sessions_session_id_key").on(t.sessionId),
    unique("chat_sessions_trace_id_key").on(t.traceId),
    check("check_status", sql`status IN ('active', 'archived', 'deleted')`),
    index("idx_chat_sessions_user_id").on(t.userId),
    index("idx_chat_sessions_agent_id").on(t.agentId),
    index("idx_chat_sessions_trace_id").on(t.traceId),
    index("idx_chat_sessions_status").on(t.status),
  ],
);

export const chatSessionParticipants = pgTable(
  "chat_session_participants",
  {
    sessionId: varchar("session_id", { length: 100 }).notNull(),
    userId: varchar("user_id", { length: 100 }).notNull(),
    role: varchar("role", { length: 20, enum: participantRoles }).notNull().default("member"),
    // Read marker: messages with seq > last_read_seq (from others) are unread.
    lastReadSeq: bigint("last_read_seq", { mode: "number" }).notNull().default(0),
    joinedAt: timestamptz("joined_at").defaultNow(),
  },
  (t) => [
    primaryKey({ name: "chat_session_participants_pkey", columns: [t.sessionId, t.userId] }),
    foreignKey({
      name: "chat_session_participants_session_id_fkey",
      columns: [t.sessionId],
      foreignColumns: [chatSessions.sessionId],
    }).onDelete("cascade"),
    check("check_role", sql`role IN ('owner', 'member')`),
    // "Sessions of this user" is the list query's entry point.
    index("idx_chat_session_participants_user_id").on(t.userId),
  ],
);

export const chatMessages = pgTable(
  "chat_messages",
  {
    id: serial("id").primaryKey(),
    sessionId: varchar("session_id", { length: 100 }),
    messageId: varchar("message_id", { length: 100 }).notNull(),
    senderType: varchar("sender_type", { length: 20, enum: senderTypes }).notNull(),
    senderId: varchar("sender_id", { length: 100 }).notNull(),
    messageType: varchar("message_type", { length: 20, enum: messageTypes }).notNull(),
    content: text("content"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
    tokensUsed: integer("tokens_used"),
    latencyMs: integer("latency_ms"),
    isEdited: boolean("is_edited").default(false),
    editedAt: timestamptz("edited_at"),
    createdAt: timestamptz("created_at").default(sql`CURRENT_TIMESTAMP`),
    // The one cursor for history, live delivery, recovery and read markers (see DESIGN.md).
    seq: bigint("seq", { mode: "number" }).notNull(),
    // The seq of the latest event that touched this message: its creation (= seq), an edit,
    // or the completion of a streamed reply. Recovery replays by it, so a client that was away
    // gets edits and completed replies, not just new rows.
    eventSeq: bigint("event_seq", { mode: "number" }).notNull(),
    // Sender-chosen id that makes a resend idempotent within the session.
    clientMsgId: varchar("client_msg_id", { length: 100 }),
    status: varchar("status", { length: 20, enum: messageStatuses }).notNull().default("complete"),
  },
  (t) => [
    unique("chat_messages_message_id_key").on(t.messageId),
    foreignKey({
      name: "chat_messages_session_id_fkey",
      columns: [t.sessionId],
      foreignColumns: [chatSessions.sessionId],
    }).onDelete("cascade"),
    unique("uq_chat_messages_session_seq").on(t.sessionId, t.seq),
    unique("uq_chat_messages_session_client_msg").on(t.sessionId, t.clientMsgId),
    unique("uq_chat_messages_session_event_seq").on(t.sessionId, t.eventSeq),
    check("check_sender_type", sql`sender_type IN ('user', 'agent', 'system')`),
    check("check_message_type", sql`message_type IN ('text', 'stream', 'file', 'system')`),
    check("check_message_status", sql`status IN ('complete', 'streaming', 'cancelled', 'error')`),
    index("idx_chat_messages_session_id").on(t.sessionId),
    index("idx_chat_messages_sender_id").on(t.senderId),
    index("idx_chat_messages_created_at").on(t.createdAt),
    // Trigram search over content (pg_trgm; created by the migration before this index).
    index("idx_chat_messages_content_trgm").using("gin", sql`${t.content} gin_trgm_ops`),
  ],
);

export const chatFiles = pgTable(
  "chat_files",
  {
    id: serial("id").primaryKey(),
    // Null until a message refers to the file (an upload may precede its `file` frame).
    messageId: varchar("message_id", { length: 100 }),
    fileId: varchar("file_id", { length: 100 }).notNull(),
    fileName: varchar("file_name", { length: 255 }).notNull(),
    fileType: varchar("file_type", { length: 100 }),
    fileSize: integer("file_size"),
    fileUrl: varchar("file_url", { length: 500 }),
    thumbnailUrl: varchar("thumbnail_url", { length: 500 }),
    uploadedBy: varchar("uploaded_by", { length: 100 }),
    uploadedAt: timestamptz("uploaded_at").default(sql`CURRENT_TIMESTAMP`),
    // The session the file was uploaded to: only its participants may read it.
    sessionId: varchar("session_id", { length: 100 }),
    // Server-made storage key; the client's file name is display metadata only.
    storageKey: varchar("storage_key", { length: 500 }),
    sha256: varchar("sha256", { length: 64 }),
  },
  (t) => [
    unique("chat_files_file_id_key").on(t.fileId),
    foreignKey({
      name: "chat_files_message_id_fkey",
      columns: [t.messageId],
      foreignColumns: [chatMessages.messageId],
    }).onDelete("cascade"),
    index("idx_chat_files_message_id").on(t.messageId),
    index("idx_chat_files_uploaded_by").on(t.uploadedBy),
    foreignKey({
      name: "chat_files_session_id_fkey",
      columns: [t.sessionId],
      foreignColumns: [chatSessions.sessionId],
    }).onDelete("cascade"),
    index("idx_chat_files_session_id").on(t.sessionId),
  ],
);
