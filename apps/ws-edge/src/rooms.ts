import { type Bus, channels, type Unsubscribe } from "@chat/bus";
import { type Logger, type Metrics, messageToFrame } from "@chat/core";
import type { ChatRepository } from "@chat/db";
import { type LiveEvent, parseLiveEvent } from "./event";
import { SessionOrder } from "./session-order";
import { TypingExpiry } from "./typing";

/** What a room needs of a connection. */
export interface RoomMember {
  readonly userId: string;
  /** A session event (stored ones in seq order) or a presence event. */
  deliver(event: LiveEvent): void;
  /** Another user's typing event (raw JSON): best-effort. */
  deliverTyping(payload: string): void;
  /** The member may no longer see the session (removed, or the session deleted). */
  revoke(): void;
}

export interface RoomsOptions {
  /** How long a missing seq is waited for before it is read from PostgreSQL. */
  gapWaitMs: number;
  /** A typist not heard from for this long is reported as stopped. */
  typingTimeoutMs: number;
  /** Counts frames fanned out to local sockets, by type. */
  metrics?: Metrics | undefined;
}

interface Room {
  members: Set<RoomMember>;
  order: SessionOrder;
  typing: TypingExpiry;
  /** Resolves when the subscriptions are active and the order knows where live delivery starts. */
  ready: Promise<Unsubscribe[]>;
}

/** Largest gap read from PostgreSQL at once; a longer one is left to `sync`. */
const GAP_PAGE = 1_000;

/**
 * Local sockets grouped by session. One bus subscription per session per edge (the session,
 * typing and presence channels): taken when the first local socket joins, dropped when the
 * last one leaves. Session events are put in seq order here, once for all local sockets.
 */
export class Rooms {
  readonly #rooms = new Map<string, Room>();

  constructor(
    private readonly bus: Bus,
    private readonly repo: ChatRepository,
    private readonly logger: Logger,
    private readonly options: RoomsOptions,
  ) {}

  /**
   * Resolves once the member receives every event after the returned seq: the `last_seq` of
   * its `ready` frame (anything up to it is history).
   */
  async join(sessionId: string, member: RoomMember): Promise<number> {
    let room = this.#rooms.get(sessionId);
    if (!room) {
      room = this.#create(sessionId);
      this.#rooms.set(sessionId, room);
    }
    room.members.add(member);
    try {
      await room.ready;
    } catch (error) {
      this.leave(sessionId, member);
      throw error;
    }
    return room.order.released ?? 0;
  }

  leave(sessionId: string, member: RoomMember): void {
    const room = this.#rooms.get(sessionId);
    if (!room?.members.delete(member) || room.members.size > 0) return;
    this.#rooms.delete(sessionId);
    room.order.close();
    room.typing.close();
    room.ready
      .then((unsubscribes) => Promise.all(unsubscribes.map((unsubscribe) => unsubscribe())))
      .catch((error: unknown) => this.logger.warn({ err: error, session_id: sessionId }, "unsubscribe failed"));
  }

  get size(): number {
    return this.#rooms.size;
  }

  sessionIds(): IterableIterator<string> {
    return this.#rooms.keys();
  }

  #create(sessionId: string): Room {
    const members = new Set<RoomMember>();
    const order = new SessionOrder({
      release: (event) => {
        if (members.size > 1) event.bytes ??= Buffer.from(event.payload);
        for (const member of members) member.deliver(event);
        this.options.metrics?.wsFramesOut.inc({ type: event.type }, members.size);
      },
      fetchGap: async (afterSeq, upToSeq) => {
        const rows = await this.repo.messagesSince(sessionId, afterSeq, Math.min(upToSeq - afterSeq, GAP_PAGE));
        return rows
          .filter((row) => row.eventSeq <= upToSeq)
          .flatMap((row) => parseLiveEvent(JSON.stringify(messageToFrame(row))) ?? []);
      },
      gapWaitMs: this.options.gapWaitMs,
      onError: (error) => this.logger.warn({ err: error, session_id: sessionId }, "gap fetch failed; skipped"),
    });
    const typing = new TypingExpiry(sessionId, this.options.typingTimeoutMs, (frame) => {
      const payload = JSON.stringify(frame);
      for (const member of members) if (member.userId !== frame.user_id) member.deliverTyping(payload);
    });
    const room: Room = { members, order, typing, ready: Promise.resolve([]) };
    room.ready = this.#subscribe(sessionId, room);
    return room;
  }

  async #revalidate(sessionId: string, room: Room): Promise<void> {
    try {
      const session = await this.repo.getSession(sessionId);
      const allowed =
        session && session.status !== "deleted"
          ? new Set((await this.repo.listParticipants(sessionId)).map((p) => p.userId))
          : new Set<string>();
      for (const member of room.members) if (!allowed.has(member.userId)) member.revoke();
    } catch (error) {
      this.logger.warn({ err: error, session_id: sessionId }, "re-checking participants failed");
    }
  }

  async #subscribe(sessionId: string, room: Room): Promise<Unsubscribe[]> {
    const onEvent = (payload: string) => {
      const event = parseLiveEvent(payload);
      if (!event) return;
      room.order.push(event);
      // Participants or status changed: sockets of users who lost access are closed at once,
      // not at their next reconnect.
      if (event.type === "system" && payload.includes('"session_updated"')) void this.#revalidate(sessionId, room);
    };
    const onPresence = (payload: string) => {
      const event = parseLiveEvent(payload);
      if (event) for (const member of room.members) member.deliver(event);
    };
    const onTyping = (payload: string) => {
      let frame: { user_id?: unknown; is_typing?: unknown };
      try {
        frame = JSON.parse(payload) as typeof frame;
      } catch {
        return;
      }
      if (typeof frame.user_id !== "string") return;
      room.typing.seen(frame.user_id, frame.is_typing === true);
      // Typing is not echoed to the typist's own sockets.
      for (const member of room.members) if (member.userId !== frame.user_id) member.deliverTyping(payload);
    };
    const subscriptions = await Promise.allSettled([
      this.bus.pubsub.subscribe(channels.session(sessionId), onEvent),
      this.bus.pubsub.subscribe(channels.typing(sessionId), onTyping),
      this.bus.pubsub.subscribe(channels.presence(sessionId), onPresence),
    ]);
    const unsubscribes = subscriptions.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    try {
      const failed = subscriptions.find((s) => s.status === "rejected");
      if (failed) throw failed.reason;
      // Read after subscribing: every event after this seq is either published from now on
      // (and arrives) or already committed (and fetched if its publish is lost or late).
      const session = await this.repo.getSession(sessionId);
      room.order.start(session?.lastSeq ?? 0);
      return unsubscribes;
    } catch (error) {
      await Promise.allSettled(unsubscribes.map((unsubscribe) => unsubscribe()));
      throw error;
    }
  }
}
