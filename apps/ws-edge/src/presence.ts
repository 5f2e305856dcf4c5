import { type Bus, channels, type PresenceEntry } from "@chat/bus";
import type { Logger } from "@chat/core";
import type { SystemFrame } from "@chat/protocol";

/**
 * `user_joined` / `user_left` once per user per session, across tabs and edges, published on
 * `chat:presence:{session_id}` (not stored: presence is best-effort, history has no use for it).
 * The decision "first" / "last" is the bus's, atomic across edges (see `Presence`).
 *
 * An edge that dies says no goodbye: its connections expire after `ttlSeconds`, and the next
 * heartbeat sweep of any edge with a socket in that session publishes the `user_left`. A
 * draining edge also skips the goodbye on purpose: its clients reconnect elsewhere within the
 * TTL, and nobody sees them leave and come back.
 */
export class PresenceTracker {
  constructor(
    private readonly bus: Bus,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
  ) {}

  async join(entry: PresenceEntry): Promise<void> {
    if (await this.bus.presence.join(entry, this.ttlSeconds))
      await this.#publish(entry.sessionId, "user_joined", entry.userId);
  }

  leave(entry: PresenceEntry): void {
    this.bus.presence
      .leave(entry)
      .then((last) => (last ? this.#publish(entry.sessionId, "user_left", entry.userId) : undefined))
      .catch((error: unknown) =>
        this.logger.warn({ err: error, session_id: entry.sessionId }, "presence leave failed"),
      );
  }

  /** Heartbeat: keep this edge's connections alive, and report users whose edge died. */
  async tick(entries: PresenceEntry[], sessionIds: Iterable<string>): Promise<void> {
    try {
      const rejoined = await this.bus.presence.refresh(entries, this.ttlSeconds);
      // Announced again only if a sweep had already reported them gone (this edge stalled).
      const announced = new Set<string>();
      for (const entry of rejoined) {
        const key = `${entry.sessionId}\n${entry.userId}`;
        if (announced.has(key)) continue;
        announced.add(key);
        await this.#publish(entry.sessionId, "user_joined", entry.userId);
      }
      for (const sessionId of sessionIds) {
        for (const userId of await this.bus.presence.sweep(sessionId)) {
          await this.#publish(sessionId, "user_left", userId);
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, "presence heartbeat failed");
    }
  }

  #publish(sessionId: string, event: "user_joined" | "user_left", userId: string): Promise<void> {
    const frame: SystemFrame = {
      type: "system",
      session_id: sessionId,
      event,
      user_id: userId,
      timestamp: new Date().toISOString(),
    };
    return this.bus.pubsub.publish(channels.presence(sessionId), JSON.stringify(frame));
  }
}
