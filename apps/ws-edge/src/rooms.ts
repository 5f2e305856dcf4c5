import { type Bus, channels, type Unsubscribe } from "@chat/bus";
import type { Logger } from "@chat/core";

/** What a room needs of a connection. */
export interface RoomMember {
  readonly userId: string;
  /** A persisted or live session event (raw JSON), with its seq when it has one. */
  deliver(payload: string, seq: number | undefined): void;
  /** Another user's typing event (raw JSON). */
  deliverTyping(payload: string): void;
}

interface Room {
  members: Set<RoomMember>;
  /** Resolves when both channel subscriptions are active. */
  ready: Promise<Unsubscribe[]>;
}

/**
 * Reads just enough of a session event to order it: its event seq (`event_seq`, or `seq` for
 * `stream_start`, whose row is new). Chunks and errors have none.
 */
function seqOf(payload: string): number | undefined {
  try {
    const event = JSON.parse(payload) as { event_seq?: unknown; seq?: unknown };
    const seq = event.event_seq ?? event.seq;
    return typeof seq === "number" ? seq : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Local sockets grouped by session. One bus subscription per session per edge: taken when the
 * first local socket joins, dropped when the last one leaves.
 */
export class Rooms {
  readonly #rooms = new Map<string, Room>();

  constructor(
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the member receives every event published from now on. */
  async join(sessionId: string, member: RoomMember): Promise<void> {
    let room = this.#rooms.get(sessionId);
    if (!room) {
      const members = new Set<RoomMember>();
      room = { members, ready: this.#subscribe(sessionId, members) };
      this.#rooms.set(sessionId, room);
    }
    room.members.add(member);
    try {
      await room.ready;
    } catch (error) {
      this.leave(sessionId, member);
      throw error;
    }
  }

  leave(sessionId: string, member: RoomMember): void {
    const room = this.#rooms.get(sessionId);
    if (!room?.members.delete(member) || room.members.size > 0) return;
    this.#rooms.delete(sessionId);
    room.ready
      .then((unsubscribes) => Promise.all(unsubscribes.map((unsubscribe) => unsubscribe())))
      .catch((error: unknown) => this.logger.warn({ err: error, session_id: sessionId }, "unsubscribe failed"));
  }

  get size(): number {
    return this.#rooms.size;
  }

  async #subscribe(sessionId: string, members: Set<RoomMember>): Promise<Unsubscribe[]> {
    const onEvent = (payload: string) => {
      const seq = seqOf(payload);
      for (const member of members) member.deliver(payload, seq);
    };
    const onTyping = (payload: string) => {
      let userId: unknown;
      try {
        userId = (JSON.parse(payload) as { user_id?: unknown }).user_id;
      } catch {
        return;
      }
      // Typing is not echoed to the typist's own sockets.
      for (const member of members) if (member.userId !== userId) member.deliverTyping(payload);
    };
    const subscriptions = await Promise.allSettled([
      this.bus.pubsub.subscribe(channels.session(sessionId), onEvent),
      this.bus.pubsub.subscribe(channels.typing(sessionId), onTyping),
    ]);
    const unsubscribes = subscriptions.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = subscriptions.find((s) => s.status === "rejected");
    if (failed) {
      await Promise.allSettled(unsubscribes.map((unsubscribe) => unsubscribe()));
      throw failed.reason;
    }
    return unsubscribes;
  }
}
