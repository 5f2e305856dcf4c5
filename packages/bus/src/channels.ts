/** Channel names from the spec's "Redis Pub/Sub" section. */
export const channels = {
  session: (sessionId: string) => `chat:session:${sessionId}`,
  user: (userId: string) => `chat:user:${userId}`,
  typing: (sessionId: string) => `chat:typing:${sessionId}`,
  presence: (sessionId: string) => `chat:presence:${sessionId}`,
  /** Control messages for a running agent reply (cancel). */
  control: (messageId: string) => `chat:control:${messageId}`,
} as const;

/** Key names (the spec's presence keys, the stream buffers). */
export const keys = {
  connections: (userId: string) => `ws:connections:${userId}`,
  sessionUsers: (sessionId: string) => `ws:sessions:${sessionId}`,
  streamBuffer: (messageId: string) => `chat:stream:${messageId}`,
  /** Set at enqueue (value: session id) until the worker stores the reply row. */
  replyPending: (messageId: string) => `chat:reply:${messageId}`,
  /** Set when the reply job to a user message is enqueued (`enqueueOnce`): one job per message. */
  replyJob: (userMessageId: string) => `chat:reply-job:${userMessageId}`,
  /** A cancel that arrived before the worker subscribed to the reply's control channel. */
  replyCancel: (messageId: string) => `chat:cancel:${messageId}`,
} as const;
