import type { Bus } from "@chat/bus";
import { channels } from "@chat/bus";
import { toIso } from "@chat/core";
import type { ParticipantRow, SessionRow } from "@chat/db";
import type { ParticipantResource, SessionResource, SessionStatus, SystemFrame } from "@chat/protocol";

export function sessionToResource(row: SessionRow): SessionResource {
  return {
    session_id: row.sessionId,
    trace_id: row.traceId,
    user_id: row.userId,
    agent_id: row.agentId,
    title: row.title,
    status: (row.status ?? "active") as SessionStatus,
    metadata: (row.metadata as Record<string, unknown> | null) ?? null,
    created_at: toIso(row.createdAt) ?? "",
    updated_at: toIso(row.updatedAt),
    ended_at: toIso(row.endedAt),
  };
}

export function participantToResource(row: ParticipantRow): ParticipantResource {
  return {
    session_id: row.sessionId,
    user_id: row.userId,
    role: row.role as ParticipantResource["role"],
    last_read_seq: row.lastReadSeq,
    joined_at: toIso(row.joinedAt),
  };
}

/**
 * Tells connected clients that the session changed (title, status, participants) so they
 * refetch it. Best-effort, like presence: the change itself is already stored.
 */
export async function publishSessionUpdated(bus: Bus, sessionId: string, userId: string): Promise<void> {
  const frame: SystemFrame = {
    type: "system",
    session_id: sessionId,
    event: "session_updated",
    user_id: userId,
    timestamp: new Date().toISOString(),
  };
  await bus.pubsub.publish(channels.session(sessionId), JSON.stringify(frame));
}
