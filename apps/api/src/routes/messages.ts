import { channels } from "@chat/bus";
import { messageToFrame, messageToResource, toIso } from "@chat/core";
import {
  ChatError,
  editMessageRequest,
  type ListMessagesQuery,
  type ListMessagesResponse,
  listMessagesQuery,
  type PostMessageResponse,
  postMessageRequest,
} from "@chat/protocol";
import { Router } from "express";
import type { ApiDeps } from "../deps";
import { membershipOf, notParticipant } from "../http/access";
import { userOf } from "../http/auth";
import { methodNotAllowed } from "../http/method-not-allowed";
import { param, validate } from "../http/validate";

/** `/api/chat/sessions/:sessionId/messages`: page history, post a message, edit one's own. */
export function messageRoutes({ repo, chat, bus }: ApiDeps): Router {
  const router = Router({ mergeParams: true });

  router
    .route("/")
    .get(async (req, res) => {
      const sessionId = param((req.params as { sessionId?: string }).sessionId, "session");
      let query: ListMessagesQuery;
      try {
        query = pageQuery(req.query);
      } catch (error) {
        // A non-participant learns nothing, not even that the query was bad: 404 comes first.
        await membershipOf(repo, req, res);
        throw error;
      }
      // One statement checks membership, reads the page and counts: the hottest read of the api.
      const page = await repo.pageMessagesForMember(sessionId, userOf(res).userId, {
        limit: query.limit,
        beforeSeq: typeof query.before === "number" ? query.before : undefined,
        afterSeq: typeof query.after === "number" ? query.after : undefined,
        beforeTime: query.before instanceof Date ? query.before : undefined,
        afterTime: query.after instanceof Date ? query.after : undefined,
      });
      if (!page) throw notParticipant();
      const body: ListMessagesResponse = {
        messages: page.messages.map(messageToResource),
        has_more: page.hasMore,
        total: page.total,
      };
      res.json(body);
    })
    .post(async (req, res) => {
      const { session } = await membershipOf(repo, req, res);
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
    })
    .all(methodNotAllowed("GET", "POST"));

  router
    .route("/:messageId")
    .patch(async (req, res) => {
      const { session } = await membershipOf(repo, req, res);
      const messageId = param(req.params.messageId, "message");
      const body = validate(editMessageRequest, req.body);
      const message = await repo.getMessage(messageId);
      // A message of another session is as unknown as one that does not exist.
      if (!message || message.sessionId !== session.sessionId) {
        throw new ChatError("NOT_FOUND", "Message not found");
      }
      if (message.senderType !== "user" || message.senderId !== userOf(res).userId) {
        throw new ChatError("FORBIDDEN", "You can only edit your own messages");
      }
      if (message.messageType !== "text") {
        throw new ChatError("CONFLICT", "Only text messages can be edited");
      }
      const edited = await repo.updateMessageAsEvent(messageId, {
        content: body.content,
        isEdited: true,
        editedAt: new Date(),
      });
      if (!edited) throw new ChatError("NOT_FOUND", "Message not found");
      // The edit is a session event with its own event_seq: live clients get it now, and
      // clients that were away get it on recovery (since_seq replays by event_seq).
      await bus.pubsub.publish(channels.session(session.sessionId), JSON.stringify(messageToFrame(edited)));
      res.json(messageToResource(edited));
    })
    .all(methodNotAllowed("PATCH"));

  return router;
}

function pageQuery(raw: unknown): ListMessagesQuery {
  const query = validate(listMessagesQuery, raw);
  if (query.before !== undefined && query.after !== undefined) {
    throw new ChatError("VALIDATION_ERROR", "Use either before or after, not both", {
      details: [{ path: "before", message: "cannot be combined with after" }],
    });
  }
  return query;
}
