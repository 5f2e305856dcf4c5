import { keys } from "@chat/bus";
import type { MessageRow, SessionRow } from "@chat/db";
import { ChatError, type SseEvent, streamMessageRequest } from "@chat/protocol";
import { type Request, type Response, Router } from "express";
import type { ApiDeps } from "../deps";
import { userOf } from "../http/auth";
import { param, validate } from "../http/validate";
import { parsePosition } from "../sse/position";
import { pipeReply } from "../sse/reply-stream";

export interface StreamRouteOptions {
  /** Interval of the SSE heartbeat comment, in ms. @default 15_000 */
  heartbeatMs?: number;
}

/**
 * `/api/chat/sessions/:sessionId/messages`: the SSE endpoints and reply controls.
 * - `POST /stream`: store a user message, stream the agent's reply as text/event-stream;
 * - `GET /:messageId/stream`: (re)attach to a reply, resuming after `Last-Event-ID`;
 * - `POST /:messageId/cancel`: stop a running (or queued) reply;
 * - `POST /:messageId/regenerate`: a new reply to a user message.
 * Only participants see anything; everyone else gets 404.
 */
export function streamRoutes(deps: ApiDeps, options: StreamRouteOptions = {}): Router {
  const { repo, bus, chat } = deps;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const router = Router({ mergeParams: true });

  async function sessionOf(req: Request, res: Response): Promise<SessionRow> {
    const sessionId = param(req.params.sessionId, "session");
    const session = await repo.getSessionForUser(sessionId, userOf(res).userId);
    if (!session) throw new ChatError("SESSION_NOT_FOUND", "Session not found");
    return session;
  }

  async function replyOf(session: SessionRow, req: Request) {
    const messageId = param(req.params.messageId, "message");
    const isReply = (row: MessageRow | undefined) =>
      row !== undefined && row.sessionId === session.sessionId && row.senderType === "agent";
    const row = await repo.getMessage(messageId);
    if (isReply(row)) return messageId;
    if (!row) {
      // A reply still in the queue has no row yet; the pending marker names its session.
      if ((await bus.kv.get(keys.replyPending(messageId))) === session.sessionId) return messageId;
      // The worker may have stored the row and dropped the marker between the two reads.
      if (isReply(await repo.getMessage(messageId))) return messageId;
    }
    throw new ChatError("NOT_FOUND", "Message not found");
  }

  /** Answer with the reply as SSE until its stream_end or until the client leaves. */
  async function stream(res: Response, sessionId: string, messageId: string, lastEventId?: string) {
    res.status(200);
    res.setHeader("Content-Type", "text/event-stream; charset=utf-8");
    res.setHeader("Cache-Control", "no-cache, no-transform");
    res.setHeader("Connection", "keep-alive");
    res.setHeader("X-Accel-Buffering", "no");
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    const left = new AbortController();
    // The client leaving ends this response only; the reply goes on in the worker.
    res.on("close", () => left.abort());
    const send = (text: string) => {
      if (!left.signal.aborted && !res.writableEnded) res.write(text);
    };
    const heartbeat = setInterval(() => send(": ping\n\n"), heartbeatMs);
    heartbeat.unref();
    try {
      await pipeReply({
        bus,
        repo,
        sessionId,
        messageId,
        after: parsePosition(lastEventId),
        signal: left.signal,
        write: (id: string, event: SseEvent) => {
          send(`id: ${id}\ndata: ${JSON.stringify(event)}\n\n`);
        },
      });
    } catch (error) {
      deps.logger.error({ err: error, session_id: sessionId, message_id: messageId }, "SSE stream failed");
      if (!left.signal.aborted) {
        res.write(
          `data: ${JSON.stringify({ type: "error", code: "INTERNAL", message: "Stream failed", ref: messageId })}\n\n`,
        );
      }
    } finally {
      clearInterval(heartbeat);
      res.end();
    }
  }

  router.post("/stream", async (req, res) => {
    const session = await sessionOf(req, res);
    const body = validate(streamMessageRequest, req.body);
    if (session.agentId == null) throw new ChatError("CONFLICT", "The session has no agent to answer");
    const { replyMessageId, duplicate, message } = await chat.postUserMessage({
      session,
      userId: userOf(res).userId,
      content: body.content,
      clientMsgId: body.client_msg_id,
      metadata: body.metadata ?? null,
    });
    if (duplicate || !replyMessageId) {
      throw new ChatError("CONFLICT", "This client_msg_id was already posted", {
        details: [{ path: "client_msg_id", message: `already stored as ${message.messageId}` }],
      });
    }
    res.setHeader("X-Message-Id", message.messageId);
    res.setHeader("X-Reply-Message-Id", replyMessageId);
    await stream(res, session.sessionId, replyMessageId);
  });

  router.get("/:messageId/stream", async (req, res) => {
    const session = await sessionOf(req, res);
    const messageId = await replyOf(session, req);
    const lastEventId =
      req.get("last-event-id") ?? (typeof req.query.last_event_id === "string" ? req.query.last_event_id : undefined);
    await stream(res, session.sessionId, messageId, lastEventId);
  });

  router.post("/:messageId/cancel", async (req, res) => {
    const session = await sessionOf(req, res);
    const messageId = param(req.params.messageId, "message");
    await chat.cancelReply(session.sessionId, messageId, userOf(res).userId);
    res.status(202).json({ message_id: messageId, status: "cancelling" });
  });

  router.post("/:messageId/regenerate", async (req, res) => {
    const session = await sessionOf(req, res);
    const messageId = param(req.params.messageId, "message");
    // Regenerating an agent reply means answering its user message again.
    const row = await repo.getMessage(messageId);
    if (!row || row.sessionId !== session.sessionId) throw new ChatError("NOT_FOUND", "Message not found");
    const meta = (row.metadata ?? {}) as Record<string, unknown>;
    const userMessageId = row.senderType === "agent" && typeof meta.reply_to === "string" ? meta.reply_to : messageId;
    const { replyMessageId } = await chat.regenerateReply(session, userMessageId);
    res.status(202).json({
      message_id: replyMessageId,
      reply_to: userMessageId,
      stream_url: `/api/chat/sessions/${encodeURIComponent(session.sessionId)}/messages/${replyMessageId}/stream`,
    });
  });

  return router;
}
