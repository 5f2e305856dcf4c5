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
  /** True when `clientMsgId` was seen before: nothing was stored, published or enqueued again. */
  duplicate: boolean;
  /** The reply message id of the agent job, when one was enqueued. */
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

export function createChatService({ repo, bus }: ChatServiceDeps): ChatService {
  /** Enqueue a reply job; the reply id is chosen now so that every delivery uses it. */
  async function enqueueReply(session: SessionRow, userMessageId: string): Promise<string> {
    const agentId = session.agentId;
    if (agentId == null) throw new Error("enqueueReply needs a session with an agent");
    const replyMessageId = newMessageId();
    // Sent together: both go on the bus's one command connection, which Redis runs in order,
    // so the pending mark is still set before any worker can take the job; one round trip.
    await Promise.all([
      bus.kv.set(keys.replyPending(replyMessageId), session.sessionId, PENDING_REPLY_TTL),
      bus.jobs.enqueue(
        encodeJob({
          kind: "reply",
          session_id: session.sessionId,
          user_message_id: userMessageId,
          reply_message_id: replyMessageId,
          agent_id: agentId,
          trace_id: session.traceId,
          enqueued_at: new Date().toISOString(),
        }),
      ),
    ]);
    return replyMessageId;
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
      });
      if (duplicate) return { message, duplicate };
      // Stored first, published second: a publish that fails loses nothing, since every client
      // recovers stored events by seq.
      const published = bus.pubsub.publish(
        channels.session(input.session.sessionId),
        JSON.stringify(messageToFrame(message)),
      );
      if (input.session.agentId == null) {
        await published;
        return { message, duplicate };
      }
      // The job goes out with the publish (same connection, same order), not a round trip later:
      // time to first token is mostly sequential round trips.
      const [, replyMessageId] = await Promise.all([published, enqueueReply(input.session, message.messageId)]);
      return { message, duplicate, replyMessageId };
    },

    async regenerateReply(session, userMessageId) {
      const message = await repo.getMessage(userMessageId);
      if (!message || message.sessionId !== session.sessionId || message.senderType !== "user") {
        throw new ChatError("NOT_FOUND", "Message not found");
      }
      if (session.agentId == null) throw new ChatError("CONFLICT", "The session has no agent");
      return { replyMessageId: await enqueueReply(session, userMessageId) };
    },

    async cancelReply(sessionId, messageId, by) {
      let message = await repo.getMessage(messageId);
      // Not stored yet: a reply still in the queue can be cancelled before it starts. Without
      // its pending marker, read the row again: a worker may have stored it and dropped the
      // marker between the two reads.
      if (!message && (await bus.kv.get(keys.replyPending(messageId))) !== sessionId) {
        message = await repo.getMessage(messageId);
        if (!message) throw new ChatError("NOT_FOUND", "Message not found");
      }
      if (message) {
        if (message.sessionId !== sessionId || message.senderType !== "agent") {
          throw new ChatError("NOT_FOUND", "Message not found");
        }
        if (message.status !== "streaming") return;
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
