import { sessionToCreated, toIso } from "@chat/core";
import {
  ChatError,
  createSessionRequest,
  type ListSessionsResponse,
  listSessionsQuery,
  type SessionDetailResponse,
  type SessionStatus,
} from "@chat/protocol";
import { Router } from "express";
import type { ApiDeps } from "../deps";
import { membershipOf } from "../http/access";
import { userOf } from "../http/auth";
import { methodNotAllowed } from "../http/method-not-allowed";
import { validate } from "../http/validate";
import { sessionChangeHandlers } from "./session-changes";

/** `/api/chat/sessions`: create, list, detail, change, soft delete, restore. */
export function sessionRoutes(deps: ApiDeps): Router {
  const { repo, agents } = deps;
  const router = Router();
  const changes = sessionChangeHandlers(deps);

  router
    .route("/")
    .post(async (req, res) => {
      const body = validate(createSessionRequest, req.body);
      if (body.agent_id != null && !(await agents.get(body.agent_id))) {
        throw new ChatError("VALIDATION_ERROR", `Unknown agent ${body.agent_id}`, {
          details: [{ path: "agent_id", message: "no such agent" }],
        });
      }
      const session = await repo.createSession({
        userId: userOf(res).userId,
        agentId: body.agent_id ?? null,
        title: body.title ?? null,
        metadata: body.metadata ?? null,
      });
      res.status(201).json(sessionToCreated(session));
    })
    .get(async (req, res) => {
      const query = validate(listSessionsQuery, req.query);
      const { sessions, total } = await repo.listSessions(userOf(res).userId, {
        status: query.status,
        agentId: query.agent_id,
        limit: query.limit,
        offset: query.offset,
      });
      // One registry call for the whole page (the registry batches and caches), never one per row.
      const agentIds = [...new Set(sessions.flatMap((s) => (s.agentId == null ? [] : [s.agentId])))];
      const agentsById = await agents.getMany(agentIds);
      const body: ListSessionsResponse = {
        sessions: sessions.map((s) => ({
          session_id: s.sessionId,
          title: s.title,
          agent_id: s.agentId,
          agent_name: s.agentId == null ? null : (agentsById.get(s.agentId)?.name ?? null),
          last_message: s.lastMessage,
          last_message_at: toIso(s.lastMessageAt),
          unread_count: s.unreadCount,
          status: s.status as SessionStatus,
          created_at: toIso(s.createdAt) ?? "",
        })),
        total,
        has_more: query.offset + sessions.length < total,
      };
      res.json(body);
    })
    .all(methodNotAllowed("GET", "POST"));

  router
    .route("/:sessionId")
    .get(async (req, res) => {
      const { session } = await membershipOf(repo, req, res);
      const [participants, messageCount, agent] = await Promise.all([
        repo.listParticipants(session.sessionId),
        repo.countMessages(session.sessionId),
        session.agentId == null ? undefined : agents.get(session.agentId),
      ]);
      const body: SessionDetailResponse = {
        session_id: session.sessionId,
        trace_id: session.traceId,
        user_id: session.userId,
        agent_id: session.agentId,
        agent: agent ? { id: agent.id, name: agent.name, avatar_url: agent.logo_url } : null,
        title: session.title,
        status: session.status as SessionStatus,
        metadata: (session.metadata as Record<string, unknown> | null) ?? null,
        participants: participants.map((p) => p.userId),
        message_count: messageCount,
        last_seq: session.lastSeq,
        created_at: toIso(session.createdAt) ?? "",
        last_activity: toIso(session.updatedAt ?? session.createdAt) ?? "",
      };
      res.json(body);
    })
    .patch(changes.patch)
    .delete(changes.remove)
    .all(methodNotAllowed("GET", "PATCH", "DELETE"));

  router.route("/:sessionId/restore").post(changes.restore).all(methodNotAllowed("POST"));

  return router;
}
