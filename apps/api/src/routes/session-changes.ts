import { ChatError, updateSessionRequest } from "@chat/protocol";
import type { RequestHandler } from "express";
import type { ApiDeps } from "../deps";
import { membershipOf, requireOwner } from "../http/access";
import { userOf } from "../http/auth";
import { publishSessionUpdated, sessionToResource } from "../http/resources";
import { validate } from "../http/validate";

/**
 * PATCH, DELETE (soft) and restore of `/sessions/:sessionId`.
 *
 * Who may do what: any participant may change the title and metadata (it is a shared
 * conversation); only the owner may change the status, delete or restore the session.
 */
export function sessionChangeHandlers({ repo, bus }: ApiDeps) {
  const notFound = () => new ChatError("SESSION_NOT_FOUND", "Session not found");

  const patch: RequestHandler = async (req, res) => {
    const membership = await membershipOf(repo, req, res);
    const body = validate(updateSessionRequest, req.body);
    if (body.status !== undefined) requireOwner(membership, "change the status");
    const statusChange =
      body.status === undefined || body.status === membership.session.status
        ? {}
        : { status: body.status, endedAt: body.status === "archived" ? new Date() : null };
    const updated = await repo.updateSession(membership.session.sessionId, {
      title: body.title,
      metadata: body.metadata,
      ...statusChange,
    });
    if (!updated) throw notFound();
    await publishSessionUpdated(bus, updated.sessionId, userOf(res).userId);
    res.json(sessionToResource(updated));
  };

  const remove: RequestHandler = async (req, res) => {
    const membership = await membershipOf(repo, req, res);
    requireOwner(membership, "delete the session");
    const deleted = await repo.updateSession(membership.session.sessionId, { status: "deleted", endedAt: new Date() });
    if (!deleted) throw notFound();
    await publishSessionUpdated(bus, deleted.sessionId, userOf(res).userId);
    // The spec's wording, although the session is soft-deleted (hidden), not archived.
    res.json({ message: "Session archived successfully", session_id: deleted.sessionId });
  };

  const restore: RequestHandler = async (req, res) => {
    const membership = await membershipOf(repo, req, res, { includeDeleted: true });
    requireOwner(membership, "restore the session");
    if (membership.session.status !== "deleted") {
      throw new ChatError("CONFLICT", "Session is not deleted");
    }
    const restored = await repo.updateSession(membership.session.sessionId, { status: "active", endedAt: null });
    if (!restored) throw notFound();
    await publishSessionUpdated(bus, restored.sessionId, userOf(res).userId);
    res.json(sessionToResource(restored));
  };

  return { patch, remove, restore };
}
