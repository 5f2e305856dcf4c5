import type { ChatRepository, Membership } from "@chat/db";
import { ChatError } from "@chat/protocol";
import type { Request, Response } from "express";
import { userOf } from "./auth";
import { param } from "./validate";

/**
 * The session of `:sessionId` with the caller's participant row. Anyone who is not a
 * participant gets the same 404 as for a session that does not exist: never reveal that a
 * session exists. Soft-deleted sessions are 404 too unless `includeDeleted` (restore).
 */
export async function membershipOf(
  repo: ChatRepository,
  req: Request,
  res: Response,
  options: { includeDeleted?: boolean } = {},
): Promise<Membership> {
  const sessionId = param(req.params.sessionId, "session");
  const membership = await repo.getMembership(sessionId, userOf(res).userId, options);
  if (!membership) throw notParticipant();
  return membership;
}

/** The error for a session the caller may not see (unknown, deleted, or not theirs): all alike. */
export function notParticipant(): ChatError {
  return new ChatError("SESSION_NOT_FOUND", "Session not found");
}

/** Only the owner may do this; members know the session exists, so 403 (not 404) is honest. */
export function requireOwner(membership: Membership, action: string): void {
  if (membership.participant.role !== "owner") {
    throw new ChatError("FORBIDDEN", `Only the session owner can ${action}`);
  }
}
