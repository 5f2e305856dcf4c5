import { channels } from "@chat/bus";
import {
  createMessageRateLimiter,
  fileMessageMetadata,
  type MessageRateLimiter,
  messageToFrame,
  toServiceError,
} from "@chat/core";
import { ChatError, type ClientFrame, CloseCode, parseClientFrame, type TypingFrame } from "@chat/protocol";
import type { Connection } from "./connection";
import type { ResolvedEdgeOptions, WsEdgeDeps } from "./options";
import { TypingThrottle } from "./typing";

type Handlers = {
  [K in ClientFrame["type"]]: (conn: Connection, frame: Extract<ClientFrame, { type: K }>) => Promise<void>;
};

/** What each client frame does. */
function handlers({ chat, bus, repo }: WsEdgeDeps, typing: TypingThrottle): Handlers {
  return {
    async message(conn, frame) {
      const { message, duplicate } = await chat.postUserMessage({
        session: conn.session,
        userId: conn.userId,
        content: frame.content,
        clientMsgId: frame.client_msg_id,
        metadata: frame.metadata ?? null,
      });
      // A resend of a stored message is not published again: answer the sender directly.
      if (duplicate) conn.send(messageToFrame(message));
    },
    async typing(conn, frame) {
      if (!typing.admit(conn.sessionId, conn.userId, frame.is_typing)) return;
      const event: TypingFrame = {
        type: "typing",
        session_id: conn.sessionId,
        user_id: conn.userId,
        is_typing: frame.is_typing,
        timestamp: new Date().toISOString(),
      };
      await bus.pubsub.publish(channels.typing(conn.sessionId), JSON.stringify(event));
    },
    async file(conn, frame) {
      // An upload made with `?attach=false`, by this user, to this session, not yet in a message.
      const file = await repo.getFile(frame.file_id);
      const mine = file && file.sessionId === conn.sessionId && file.uploadedBy === conn.userId;
      if (mine && file.messageId !== null && frame.client_msg_id) {
        // A resend of the frame that attached it (same client_msg_id): answer with that message again.
        const attached = await repo.getMessage(file.messageId);
        if (attached?.clientMsgId === frame.client_msg_id) return conn.send(messageToFrame(attached));
      }
      if (!file || !mine || file.messageId !== null) {
        throw new ChatError("NOT_FOUND", "Unknown file_id: upload the file to this session first");
      }
      const { message, duplicate } = await chat.postUserMessage({
        session: conn.session,
        userId: conn.userId,
        messageType: "file",
        content: frame.message ?? "",
        clientMsgId: frame.client_msg_id,
        metadata: fileMessageMetadata(file),
      });
      if (duplicate) {
        conn.send(messageToFrame(message));
        return;
      }
      // Two frames racing for one file: both passed the check above, only one attach wins; the
      // other's message is already stored and published, so the loser is told, not silently dropped.
      const attached = await repo.attachFileToMessage(file.fileId, message.messageId);
      if (!attached) throw new ChatError("CONFLICT", "The file is already attached to another message");
    },
    async cancel(conn, frame) {
      await chat.cancelReply(conn.sessionId, frame.message_id, conn.userId);
    },
    async sync(conn, frame) {
      await conn.replay(frame.since_seq);
    },
    async read(conn, frame) {
      await repo.markRead(conn.sessionId, conn.userId, frame.seq);
    },
    async ping(conn) {
      conn.send({ type: "pong", server_time: new Date().toISOString() });
    },
  };
}

/** Frames that store something count against the user's message budget. */
const LIMITED: ReadonlySet<ClientFrame["type"]> = new Set(["message", "file"]);

/**
 * Abuse closes the socket, a single bad frame never does: more than
 * `maxInvalidFramesPerMinute` invalid frames → 4400; more refused messages in a minute than the
 * limit itself (a client that ignores `retry_after`) → 4429.
 */
function strike(conn: Connection, kind: "invalid" | "limited", max: number): void {
  const now = Date.now();
  if (now - conn.strikes.since >= 60_000) conn.strikes = { invalid: 0, limited: 0, since: now };
  conn.strikes[kind] += 1;
  if (conn.strikes[kind] <= max) return;
  if (kind === "invalid") conn.close(CloseCode.BadRequest, "Too many invalid frames");
  else conn.close(CloseCode.TooMany, "Too many messages");
}

/** The edge's per-frame logic, plus what its heartbeat must tidy. */
export interface FrameHandler {
  (conn: Connection, raw: string | Buffer): Promise<void>;
  typing: TypingThrottle;
}

/**
 * Parses and runs one inbound frame. A bad frame gets an `error` frame and the connection
 * stays up; nothing thrown escapes.
 */
export function createFrameHandler(deps: WsEdgeDeps, options: ResolvedEdgeOptions): FrameHandler {
  const typing = new TypingThrottle(options.typingThrottleMs);
  const table = handlers(deps, typing);
  const perMinute = options.messagesPerMinute;
  const limiter: MessageRateLimiter | undefined =
    perMinute === false ? undefined : createMessageRateLimiter(deps.bus, { messagesPerMinute: perMinute });
  const handle = async (conn: Connection, raw: string | Buffer): Promise<void> => {
    conn.lastActivity = Date.now();
    const parsed = parseClientFrame(typeof raw === "string" ? raw : new Uint8Array(raw));
    if (!parsed.ok) {
      conn.sendError(parsed.error);
      strike(conn, "invalid", options.maxInvalidFramesPerMinute);
      return;
    }
    const frame = parsed.value;
    deps.metrics?.wsFramesIn.inc({ type: frame.type });
    try {
      if (limiter && LIMITED.has(frame.type)) await limiter.consume(conn.userId);
      await (table[frame.type] as (c: Connection, f: ClientFrame) => Promise<void>)(conn, frame);
    } catch (error) {
      const chatError = toServiceError(error);
      if (chatError.code === "INTERNAL") {
        deps.logger.error({ err: error, session_id: conn.sessionId, frame_type: frame.type }, "frame failed");
      }
      const ref = "client_msg_id" in frame ? frame.client_msg_id : "message_id" in frame ? frame.message_id : undefined;
      conn.sendError(chatError, ref);
      if (chatError.code === "RATE_LIMIT" && perMinute !== false) strike(conn, "limited", perMinute);
    }
  };
  return Object.assign(handle, { typing });
}
