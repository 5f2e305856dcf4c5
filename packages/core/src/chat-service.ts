import { type Bus, channels, keys } from "@chat/bus";
import type { ChatRepository, MessageRow, SessionRow } from "@chat/db";
import { ChatError } from "@chat/protocol";
import { newMessageId } from "./ids";
import { encodeJob } from "./jobs";
import { messageToFrame } from "./serialize";

export interface PostUserMessageInput {
  session: SessionRow;
  userId: string;
  content: string;
  clientMsgId?: string | null;
  metadata?: Record<string, unknown> | null;
  messageType?: "text" | "file";
}

export interface PostUserMessageResult {
  message: MessageRow;
  /**
   * True when `clientMsgId` was seen before: nothing was stored again (the message is published
   * again, and its reply job enqueued if the first attempt did not get that far).
   */
  duplicate: boolean;
  /** The reply message id of the agent job, when one was enqueued by this call. */
  replyMessageId?: string;
}

export interface ChatService {
  /**
   * The one path of a user message, over WS and REST alike: store it (with its seq), publish
   * it on the session channel, and enqueue an agent job when the session has an agent.
   */
  postUserMessage(input: PostUserMessageInput): Promise<PostUserMessageResult>;
  /**
   * Ask the worker running `messageId` to stop. Works before the worker stored the reply too
   * (the cancel is remembered briefly and checked when the job starts).
   */
  cancelReply(sessionId: string, messageId: string, by: string): Promise<void>;
  /** Enqueue a new reply (new message id) to the user message `userMessageId`. */
  regenerateReply(session: SessionRow, userMessageId: string): Promise<{ replyMessageId: string }>;
}

/** How long an enqueued reply stays cancellable before its row exists, in s. */
const PENDING_REPLY_TTL = 3_600;
/** How long an early cancel is remembered, in s. */
const EARLY_CANCEL_TTL = 600;

export interface ChatServiceDeps {
  repo: ChatRepository;
  bus: Bus;
}

/** Background retries of a reply enqueue: 250 ms doubling to 2 s, for about two minutes. */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 2_000;
const RETRY_ATTEMPTS = 64;

function retryInBackground(attempt: () => Promise<unknown>, tries = 0): void {
  if (tries >= RETRY_ATTEMPTS) return;
  const delay = Math.min(RETRY_FIRST_MS * 2 ** tries, RETRY_MAX_MS);
  // unref: a retry never keeps a stopping process alive.
  setTimeout(() => attempt().catch(() => retryInBackground(attempt, tries + 1)), delay).unref();
}

export function createChatService({ repo, bus }: ChatServiceDeps): ChatService {
  /**
   * Enqueue a reply job; the reply id is chosen now so that every delivery uses it. `once`:
   * the first reply to a user message, enqueued at most once however often it is asked for.
   */
  async function enqueueReply(session: SessionRow, userMessageId: string, once = false): Promise<string | undefined> {
    const agentId = session.agentId;
    if (agentId == null) throw new Error("enqueueReply needs a session with an agent");
    const replyMessageId = newMessageId();
    // The pending mark and the job are sent together: both go on the bus's one command
    // connection, which Redis runs in order, so the mark is set before any worker can take the
    // job, in one round trip (time to first token is mostly sequential round trips).
    const pending = bus.kv.set(keys.replyPending(replyMessageId), session.sessionId, PENDING_REPLY_TTL);
    const payload = encodeJob({
      kind: "reply",
      session_id: session.sessionId,
      user_message_id: userMessageId,
      reply_message_id: replyMessageId,
      agent_id: agentId,
      trace_id: session.traceId,
      enqueued_at: new Date().toISOString(),
    });
    if (!once) {
      await Promise.all([pending, bus.jobs.enqueue(payload)]);
      return replyMessageId;
    }
    const [, id] = await Promise.all([
      pending,
      bus.jobs.enqueueOnce(keys.replyJob(userMessageId), PENDING_REPLY_TTL, payload),
    ]);
    return id === undefined ? undefined : replyMessageId;
  }

  /** The reply job of a stored user message; on failure retried in the background, then rethrown. */
  async function enqueueFirstReply(session: SessionRow, userMessageId: string): Promise<string | undefined> {
    const attempt = () => enqueueReply(session, userMessageId, true);
    try {
      return await attempt();
    } catch (error) {
      retryInBackground(attempt);
      throw error;
    }
  }

  return {
    async postUserMessage(input) {
      const { message, duplicate } = await repo.appendMessage({
        sessionId: input.session.sessionId,
        senderType: "user",
        senderId: input.userId,
        messageType: input.messageType ?? "text",
        content: input.content,
        metadata: input.metadata ?? null,
        clientMsgId: input.clientMsgId ?? null,
        // An agent reply waits on it: its time to first token does not wait out a commit window.
        urgent: input.session.agentId != null,
      });
      // Stored first, then published and enqueued: a publish that fails loses nothing, since
      // every client recovers stored events by seq. A reply job that fails to enqueue (Redis
      // away) would be lost, though: the client that got an error is acknowledged by recovery
      // (the stored message comes back) and never resends. So the enqueue is retried in the
      // background until Redis is back, and a resend (a duplicate) publishes and enqueues again;
      // publishing twice is harmless (clients and edges drop a seq they have), and the job is
      // enqueued once per message however often it is attempted (`enqueueOnce`).
      const published = bus.pubsub
        .publish(channels.session(input.session.sessionId), JSON.stringify(messageToFrame(message)))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      const replyMessageId =
        input.session.agentId == null ? undefined : await enqueueFirstReply(input.session, message.messageId);
      const publishError = await published;
      if (publishError) throw publishError;
      return replyMessageId === undefined ? { message, duplicate } : { message, duplicate, replyMessageId };
    },

    async regenerateReply(session, userMessageId) {
      const message = await repo.getMessage(userMessageId);
      if (!message || message.sessionId !== session.sessionId || message.senderType !== "user") {
        throw new ChatError("NOT_FOUND", "Message not found");
      }
      if (session.agentId == null) throw new ChatError("CONFLICT", "The session has no agent");
      const replyMessageId = await enqueueReply(session, userMessageId);
      if (replyMessageId === undefined) throw new Error("a regenerated reply is always enqueued");
      return { replyMessageId };
    },

    async cancelReply(sessionId, messageId, by) {
      const message = await repo.getMessage(messageId);
      if (!message) {
        // Not stored yet: a reply still in the queue can be cancelled before it starts.
        if ((await bus.kv.get(keys.replyPending(messageId))) !== sessionId) {
          throw new ChatError("NOT_FOUND", "Message not found");
        }
      } else if (message.sessionId !== sessionId || message.senderType !== "agent") {
        throw new ChatError("NOT_FOUND", "Message not found");
      } else if (message.status !== "streaming") {
        return;
      }
      // Remembered for a worker that has not subscribed yet; published for one that has.
      await bus.kv.set(keys.replyCancel(messageId), by, EARLY_CANCEL_TTL);
      await bus.pubsub.publish(
        channels.control(messageId),
        JSON.stringify({ type: "cancel", message_id: messageId, by }),
      );
    },
  };
}
