import type { ChatService } from "@chat/core";
import { messageToResource, toIso } from "@chat/core";
import {
  ChatError,
  type ListMessagesResponse,
  listMessagesQuery,
  type PostMessageResponse,
  postMessageRequest,
} from "@chat/protocol";
import { type Request, type Response, Router } from "express";
import type { ApiDeps } from "../deps";
import { userOf } from "../http/auth";
import { param, validate } from "../http/validate";

/** `/api/chat/sessions/:sessionId/messages`: page history, post a message. */
export function messageRoutes({ repo, chat }: ApiDeps & { chat: ChatService }): Router {
  const router = Router({ mergeParams: true });

  async function sessionOf(req: Request, res: Response) {
    const sessionId = param(req.params.sessionId, "session");
    const session = await repo.getSessionForUser(sessionId, userOf(res).userId);
    // 404 for non-participants too: never reveal that a session exists.
    if (!session) throw new ChatError("SESSION_NOT_FOUND", "Session not found");
    return session;
  }

  router.get("/", async (req, res) => {
    const session = await sessionOf(req, res);
    const query = validate(listMessagesQuery, req.query);
    if (query.before !== undefined && query.after !== undefined) {
      throw new ChatError("VALIDATION_ERROR", "Use either before or after, not both", {
        details: [{ path: "before", message: "cannot be combined with after" }],
      });
    }
    const [page, total] = await Promise.all([
      repo.pageMessages(session.sessionId, {
        limit: query.limit,
        beforeSeq: typeof query.before === "number" ? query.before : undefined,
        afterSeq: typeof query.after === "number" ? query.after : undefined,
        beforeTime: query.before instanceof Date ? query.before : undefined,
        afterTime: query.after instanceof Date ? query.after : undefined,
      }),
      repo.countMessages(session.sessionId),
    ]);
    const body: ListMessagesResponse = {
      messages: page.messages.map(messageToResource),
      has_more: page.hasMore,
      total,
    };
    res.json(body);
  });

  router.post("/", async (req, res) => {
    const session = await sessionOf(req, res);
    const body = validate(postMessageRequest, req.body);
    const { message, duplicate } = await chat.postUserMessage({
      session,
      userId: userOf(res).userId,
      content: body.content,
      clientMsgId: body.client_msg_id,
      metadata: body.metadata ?? null,
    });
    const response: PostMessageResponse = {
      message_id: message.messageId,
      status: "sent",
      seq: message.seq,
      created_at: toIso(message.createdAt) ?? "",
    };
    // A retry with the same client_msg_id gets the original answer; 200 says nothing new was made.
    res.status(duplicate ? 200 : 201).json(response);
  });

  return router;
}
