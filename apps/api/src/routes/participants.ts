import {
  addParticipantRequest,
  ChatError,
  type ListParticipantsResponse,
  type RemoveParticipantResponse,
} from "@chat/protocol";
import { Router } from "express";
import type { ApiDeps } from "../deps";
import { membershipOf, requireOwner } from "../http/access";
import { userOf } from "../http/auth";
import { methodNotAllowed } from "../http/method-not-allowed";
import { participantToResource, publishSessionUpdated } from "../http/resources";
import { param, validate } from "../http/validate";

/**
 * `/api/chat/sessions/:sessionId/participants`. Any participant lists them; the owner adds and
 * removes members; a member removes itself to leave. The owner cannot leave (a session always
 * has its owner): it deletes the session instead.
 */
export function participantRoutes({ repo, bus }: ApiDeps): Router {
  const router = Router({ mergeParams: true });

  router
    .route("/")
    .get(async (req, res) => {
      const { session } = await membershipOf(repo, req, res);
      const participants = await repo.listParticipants(session.sessionId);
      const body: ListParticipantsResponse = { participants: participants.map(participantToResource) };
      res.json(body);
    })
    .post(async (req, res) => {
      const membership = await membershipOf(repo, req, res);
      requireOwner(membership, "add participants");
      const body = validate(addParticipantRequest, req.body);
      const { participant, added } = await repo.addParticipant(membership.session.sessionId, body.user_id, body.role);
      if (!added) throw new ChatError("CONFLICT", `${body.user_id} is already a participant`);
      await publishSessionUpdated(bus, membership.session.sessionId, userOf(res).userId);
      res.status(201).json(participantToResource(participant));
    })
    .all(methodNotAllowed("GET", "POST"));

  router
    .route("/:userId")
    .delete(async (req, res) => {
      const membership = await membershipOf(repo, req, res);
      const caller = userOf(res).userId;
      const target = param(req.params.userId, "participant");
      if (target === caller) {
        if (membership.participant.role === "owner") {
          throw new ChatError("CONFLICT", "The owner cannot leave the session; delete it instead");
        }
      } else {
        requireOwner(membership, "remove other participants");
      }
      const removed = await repo.removeParticipant(membership.session.sessionId, target);
      if (!removed) throw new ChatError("NOT_FOUND", `${target} is not a participant`);
      await publishSessionUpdated(bus, membership.session.sessionId, caller);
      const body: RemoveParticipantResponse = {
        message: target === caller ? "Left the session" : "Participant removed",
        session_id: membership.session.sessionId,
        user_id: target,
      };
      res.json(body);
    })
    .all(methodNotAllowed("DELETE"));

  return router;
}
