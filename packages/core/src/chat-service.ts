import { type Bus, channels } from "@chat/bus";
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
  /** Ask the worker running `messageId` to stop. */
  cancelReply(sessionId: string, messageId: string, by: string): Promise<void>;
}

export interface ChatServiceDeps {
  repo: ChatRepository;
  bus: Bus;
}

export function createChatService({ repo, bus }: ChatServiceDeps): ChatService {
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
      await bus.pubsub.publish(channels.session(input.session.sessionId), JSON.stringify(messageToFrame(message)));
      const agentId = input.session.agentId;
      if (agentId == null) return { message, duplicate };
      const replyMessageId = newMessageId();
      await bus.jobs.enqueue(
        encodeJob({
          kind: "reply",
          session_id: input.session.sessionId,
          user_message_id: message.messageId,
          reply_message_id: replyMessageId,
          agent_id: agentId,
          trace_id: input.session.traceId,
          enqueued_at: new Date().toISOString(),
        }),
      );
      return { message, duplicate, replyMessageId };
    },

    async cancelReply(sessionId, messageId, by) {
      const message = await repo.getMessage(messageId);
      if (!message || message.sessionId !== sessionId || message.senderType !== "agent") {
        throw new ChatError("NOT_FOUND", "Message not found");
      }
      if (message.status !== "streaming") return;
      await bus.pubsub.publish(
        channels.control(messageId),
        JSON.stringify({ type: "cancel", message_id: messageId, by }),
      );
    },
  };
}
