import type {
  chatFiles,
  chatMessages,
  chatSessionParticipants,
  chatSessions,
  messageStatuses,
  messageTypes,
  participantRoles,
  senderTypes,
  sessionStatuses,
} from "./schema.js";

/** A `chat_sessions` row. */
export type SessionRow = typeof chatSessions.$inferSelect;
/** A `chat_messages` row. */
export type MessageRow = typeof chatMessages.$inferSelect;
/** A `chat_session_participants` row. */
export type ParticipantRow = typeof chatSessionParticipants.$inferSelect;
/** A `chat_files` row. */
export type FileRow = typeof chatFiles.$inferSelect;

export type SenderType = (typeof senderTypes)[number];
export type SessionStatus = (typeof sessionStatuses)[number];
export type MessageType = (typeof messageTypes)[number];
export type MessageStatus = (typeof messageStatuses)[number];
export type ParticipantRole = (typeof participantRoles)[number];
export type Metadata = Record<string, unknown>;

/** Input of `createSession`. */
export interface CreateSessionInput {
  /** @default "sess_" + random */
  sessionId?: string;
  /** The creator; becomes the owner participant. */
  userId: string;
  agentId?: number | null;
  title?: string | null;
  metadata?: Metadata | null;
  /** @default a random UUID */
  traceId?: string;
}

/** Filters and page of `listSessions`. */
export interface ListSessionsOptions {
  status?: "active" | "archived";
  agentId?: number;
  limit: number;
  offset: number;
}

/** A row of `listSessions`: the session plus what a session list shows about it. */
export interface SessionListItem extends SessionRow {
  /** Content of the message with the highest seq; null when there is none. */
  lastMessage: string | null;
  lastMessageAt: Date | null;
  /** Messages after the user's read marker that other senders wrote. */
  unreadCount: number;
}

/** Input of `appendMessage`. */
export interface AppendMessageInput {
  sessionId: string;
  /** @default "msg_" + random */
  messageId?: string;
  senderType: SenderType;
  senderId: string;
  messageType: MessageType;
  content: string | null;
  metadata?: Metadata | null;
  /** Resending with the same id returns the stored message instead of storing a second one. */
  clientMsgId?: string | null;
  /** @default "complete" */
  status?: MessageStatus;
  /**
   * For a batching appender: store it without waiting out the group-commit window (someone is
   * waiting on it, e.g. an agent reply's time to first token). Plain `appendMessage` ignores it.
   */
  urgent?: boolean;
}

/** Fields `updateMessage` can change; omitted fields are left as they are. */
export interface MessagePatch {
  content?: string | null;
  status?: MessageStatus;
  tokensUsed?: number | null;
  latencyMs?: number | null;
  metadata?: Metadata | null;
  isEdited?: boolean;
  editedAt?: Date | null;
}

/** A message as an agent's context gets it: who sent it and its text. */
export type HistoryMessage = Pick<MessageRow, "senderType" | "content">;

/**
 * Page of `pageMessages`. With `afterSeq`, the first `limit` messages after it (and before
 * `beforeSeq` if also given); otherwise the last `limit` before `beforeSeq` (or the newest).
 */
export interface PageMessagesOptions {
  afterSeq?: number;
  beforeSeq?: number;
  /** Messages created after this instant (the spec's ISO `after`); seq is the exact cursor. */
  afterTime?: Date;
  /** Messages created before this instant (the spec's ISO `before`). */
  beforeTime?: Date;
  limit: number;
}

/** Fields `updateSession` can change; omitted fields are left as they are. */
export interface SessionPatch {
  title?: string | null;
  metadata?: Metadata | null;
  status?: SessionStatus;
  endedAt?: Date | null;
}

/** A session together with the caller's participant row. */
export interface Membership {
  session: SessionRow;
  participant: ParticipantRow;
}

/** Options of `searchMessages`. */
export interface SearchMessagesOptions {
  /** Only this session (still only if the user takes part in it). */
  sessionId?: string;
  limit: number;
}

/** A message that matched a search, with the title of its session. */
export interface SearchHit {
  message: MessageRow;
  sessionTitle: string | null;
}

/** Persistence of sessions, participants and messages. */
/** Input of `createFile`: an upload that is already in storage. */
export interface CreateFileInput {
  fileId: string;
  sessionId: string;
  /** The `file` message it belongs to; null until one refers to it. @default null */
  messageId?: string | null;
  /** Cleaned display name (never used as a storage path). */
  fileName: string;
  /** Type detected from the bytes. */
  fileType: string;
  fileSize: number;
  /** Unsigned download path, e.g. `/files/file_x`. @default null */
  fileUrl?: string | null;
  /** @default null */
  thumbnailUrl?: string | null;
  uploadedBy: string;
  /** Server-made key in the storage driver. */
  storageKey: string;
  /** Hex sha256 of the stored bytes. */
  sha256: string;
}

/** Persistence of sessions, participants, messages and files. */
export interface ChatRepository {
  createSession(input: CreateSessionInput): Promise<SessionRow>;
  ensureSession(sessionId: string, userId: string): Promise<{ session: SessionRow; created: boolean }>;
  getSession(sessionId: string): Promise<SessionRow | undefined>;
  getSessionForUser(sessionId: string, userId: string): Promise<SessionRow | undefined>;
  listSessions(userId: string, options: ListSessionsOptions): Promise<{ sessions: SessionListItem[]; total: number }>;
  /** The session and the user's participant row; undefined when not a participant (or deleted). */
  getMembership(
    sessionId: string,
    userId: string,
    options?: { includeDeleted?: boolean },
  ): Promise<Membership | undefined>;
  /** Title, metadata, status, ended_at; bumps updated_at. Undefined if the session is unknown. */
  updateSession(sessionId: string, patch: SessionPatch): Promise<SessionRow | undefined>;

  addParticipant(
    sessionId: string,
    userId: string,
    role: ParticipantRole,
  ): Promise<{ participant: ParticipantRow; added: boolean }>;
  removeParticipant(sessionId: string, userId: string): Promise<boolean>;
  isParticipant(sessionId: string, userId: string): Promise<boolean>;
  listParticipants(sessionId: string): Promise<ParticipantRow[]>;
  markRead(sessionId: string, userId: string, seq: number): Promise<number>;

  appendMessage(input: AppendMessageInput): Promise<{ message: MessageRow; duplicate: boolean }>;
  updateMessage(messageId: string, patch: MessagePatch): Promise<MessageRow | undefined>;
  /**
   * Apply `patch` as a new session event (an edit, a finished reply): the message gets the
   * session's next seq as its `eventSeq`, so recovery by seq replays it. Undefined if unknown.
   */
  updateMessageAsEvent(messageId: string, patch: MessagePatch): Promise<MessageRow | undefined>;
  getMessage(messageId: string): Promise<MessageRow | undefined>;
  /**
   * What an agent reply job starts from, in one query: the session, the user message, the
   * reply's row if an earlier delivery stored it, and the sender and text of the `historyLimit`
   * messages before the user message (oldest first; the messages `pageMessages` with
   * `beforeSeq` answers). Only `history` (empty) when the session is unknown.
   */
  getReplyContext(
    sessionId: string,
    userMessageId: string,
    replyMessageId: string,
    historyLimit?: number,
  ): Promise<{ session?: SessionRow; userMessage?: MessageRow; reply?: MessageRow; history: HistoryMessage[] }>;
  pageMessages(sessionId: string, options: PageMessagesOptions): Promise<{ messages: MessageRow[]; hasMore: boolean }>;
  /**
   * The history page, `hasMore` and the session's message count, in one statement that also
   * checks that `userId` takes part in the (not deleted) session: undefined when not.
   */
  pageMessagesForMember(
    sessionId: string,
    userId: string,
    options: PageMessagesOptions,
  ): Promise<{ messages: MessageRow[]; hasMore: boolean; total: number } | undefined>;
  countMessages(sessionId: string): Promise<number>;
  /** Messages whose latest event (`eventSeq`) is after `sinceSeq`, in event order: recovery. */
  messagesSince(sessionId: string, sinceSeq: number, limit: number): Promise<MessageRow[]>;
  /**
   * Messages whose content contains `query` (case-insensitive substring), newest first, in the
   * non-deleted sessions `userId` takes part in. At most `limit + 1` rows (the extra one says
   * there are more).
   */
  searchMessages(userId: string, query: string, options: SearchMessagesOptions): Promise<SearchHit[]>;

  createFile(input: CreateFileInput): Promise<FileRow>;
  getFile(fileId: string): Promise<FileRow | undefined>;
  /** Sets the file's message if it has none yet; undefined when unknown or already attached. */
  attachFileToMessage(fileId: string, messageId: string): Promise<FileRow | undefined>;
  listFilesByMessage(messageId: string): Promise<FileRow[]>;
  /** Every upload to the session, attached or not, oldest first. */
  listFilesBySession(sessionId: string): Promise<FileRow[]>;
  deleteFile(fileId: string): Promise<boolean>;
}
