import { type MarkReadResponse, markReadRequest } from "@chat/protocol";
import { Router } from "express";
import type { ApiDeps } from "../deps";
import { membershipOf } from "../http/access";
import { userOf } from "../http/auth";
import { methodNotAllowed } from "../http/method-not-allowed";
import { validate } from "../http/validate";

/** `POST /api/chat/sessions/:sessionId/read {seq}`: moves the caller's read marker forward. */
export function readRoutes({ repo }: ApiDeps): Router {
  const router = Router({ mergeParams: true });
  router
    .route("/")
    .post(async (req, res) => {
      const { session } = await membershipOf(repo, req, res);
      const body = validate(markReadRequest, req.body);
      const lastReadSeq = await repo.markRead(session.sessionId, userOf(res).userId, body.seq);
      const response: MarkReadResponse = { session_id: session.sessionId, last_read_seq: lastReadSeq };
      res.json(response);
    })
    .all(methodNotAllowed("POST"));
  return router;
}
