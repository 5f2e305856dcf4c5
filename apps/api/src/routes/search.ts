import { ChatError, type SearchResponse, searchQuery } from "@chat/protocol";
import { Router } from "express";
import type { ApiDeps } from "../deps";
import { userOf } from "../http/auth";
import { methodNotAllowed } from "../http/method-not-allowed";
import { validate } from "../http/validate";
import { highlightSnippet } from "../search/snippet";

/**
 * `GET /api/chat/search?q=&session_id=&limit=`: substring search (case-insensitive) over the
 * messages of the caller's sessions, newest first, with highlighted snippets.
 */
export function searchRoutes({ repo }: ApiDeps): Router {
  const router = Router();
  router
    .route("/")
    .get(async (req, res) => {
      const query = validate(searchQuery, req.query);
      const userId = userOf(res).userId;
      if (query.session_id !== undefined && !(await repo.getMembership(query.session_id, userId))) {
        // Same answer as every other route of a session the caller is not in.
        throw new ChatError("SESSION_NOT_FOUND", "Session not found");
      }
      const hits = await repo.searchMessages(userId, query.q, { sessionId: query.session_id, limit: query.limit });
      const body: SearchResponse = {
        query: query.q,
        results: hits.slice(0, query.limit).map(({ message, sessionTitle }) => ({
          message_id: message.messageId,
          session_id: message.sessionId ?? "",
          session_title: sessionTitle,
          seq: message.seq,
          sender_type: message.senderType,
          sender_id: message.senderId,
          message_type: message.messageType,
          created_at: message.createdAt?.toISOString() ?? "",
          snippet: highlightSnippet(message.content ?? "", query.q),
        })),
        has_more: hits.length > query.limit,
      };
      res.json(body);
    })
    .all(methodNotAllowed("GET"));
  return router;
}
