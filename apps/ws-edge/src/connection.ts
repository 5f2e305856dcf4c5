import { keys } from "@chat/bus";
import type { Logger } from "@chat/core";
import { messageToFrame } from "@chat/core";
import type { SessionRow } from "@chat/db";
import { type ChatError, CloseCode, type ErrorFrame, type ServerFrame } from "@chat/protocol";
import type { WebSocket } from "ws";
import { type LiveEvent, parseLiveEvent } from "./event";
import type { ResolvedEdgeOptions, WsEdgeDeps } from "./options";
import { Outbox } from "./outbox";
import type { RoomMember } from "./rooms";

/** ws send options of a text frame given as a Buffer. */
const TEXT = { binary: false } as const;
/** Largest page read from PostgreSQL at a time while replaying. */
const REPLAY_PAGE = 500;
/** How often a socket that is behind is checked when no `drain` event comes. */
const PUMP_RETRY_MS = 25;

/**
 * One open socket: sends frames with backpressure, replays stored events (and the chunks of
 * replies still streaming) on (re)connect, and keeps live delivery gap-free and duplicate-free
 * around a replay.
 */
export class Connection implements RoomMember {
  /** Highest seq sent on this socket. */
  #lastSentSeq = 0;
  /** Highest chunk index sent per running stream (message id → attempt, index). */
  // Allocated on first use: most sockets of an idle edge never need them (memory per socket).
  #streams: Map<string, { attempt: number; index: number }> | undefined;
  /** Live events that arrived while a replay was running, sent after it. */
  #pending: LiveEvent[] | undefined;
  #outbox: Outbox | undefined;
  #pumpScheduled = false;
  #alive = true;
  #expiryTimer: NodeJS.Timeout | undefined;
  #closed = false;
  lastActivity = Date.now();
  /** Abuse counters (see frame-handler.ts), reset every minute. */
  strikes = { invalid: 0, limited: 0, since: Date.now() };

  constructor(
    readonly id: string,
    readonly socket: WebSocket,
    readonly userId: string,
    readonly session: SessionRow,
    /** When the token expires (ms since epoch): the socket is closed with 4401 then. */
    readonly expiresAt: number,
    private readonly deps: Pick<WsEdgeDeps, "repo" | "bus">,
    private readonly options: ResolvedEdgeOptions,
    private readonly logger: Logger,
  ) {
    socket.on("pong", () => {
      this.#alive = true;
    });
    this.#armExpiry(Date.now());
  }

  /**
   * A timer closes the socket when its token expires, armed only once the expiry is within two
   * heartbeats (a timer per idle socket costs memory; the heartbeat re-arms it in time).
   */
  #armExpiry(now: number): void {
    if (this.#expiryTimer || this.expiresAt - now > 2 * this.options.heartbeatIntervalMs) return;
    this.#expiryTimer = setTimeout(
      () => this.close(CloseCode.Unauthorized, "Token expired"),
      Math.max(this.expiresAt - now, 0),
    );
    this.#expiryTimer.unref();
  }

  get sessionId(): string {
    return this.session.sessionId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes this socket holds on the edge: ws's send buffer plus the held-back frames. */
  get bufferedBytes(): number {
    return this.socket.bufferedAmount + (this.#outbox?.bytes ?? 0);
  }

  /** Heartbeat tick: terminate a peer that did not answer the last ping. */
  heartbeat(now: number): void {
    if (now >= this.expiresAt) {
      this.close(CloseCode.Unauthorized, "Token expired");
      return;
    }
    this.#armExpiry(now);
    if (!this.#alive) {
      this.logger.info({ connection_id: this.id }, "peer missed heartbeat, terminating");
      this.socket.terminate();
      return;
    }
    if (now - this.lastActivity > this.options.idleTimeoutMs) {
      this.close(CloseCode.IdleTimeout, "Idle timeout");
      return;
    }
    this.#alive = false;
    this.socket.ping();
  }

  send(frame: ServerFrame): void {
    this.#write(JSON.stringify(frame), undefined);
  }

  sendError(error: ChatError, ref?: string): void {
    const frame: ErrorFrame = { type: "error", code: error.code, message: error.message };
    if (error.retryAfterMs !== undefined) frame.retry_after = error.retryAfterMs;
    if (error.details) frame.details = error.details;
    if (ref) frame.ref = ref;
    this.send(frame);
  }

  deliver(event: LiveEvent): void {
    if (this.#pending) {
      this.#pending.push(event);
      return;
    }
    if (event.seq !== undefined) {
      // Already sent by a replay (or a duplicate publish): the client sees each seq once.
      if (event.seq <= this.#lastSentSeq) return;
      this.#lastSentSeq = event.seq;
    }
    if (!this.#admitStreamFrame(event)) return;
    this.#write(event.payload, event.chunk, event.bytes);
  }

  deliverTyping(payload: string): void {
    // Typing is best-effort: a socket that is behind gets none.
    if (this.#outbox?.length || this.socket.bufferedAmount > this.options.softBufferLimit) return;
    this.#write(payload, undefined);
  }

  /**
   * Send every stored event after `sinceSeq`, with the buffered chunks of replies still
   * streaming, then whatever arrived live meanwhile. The room subscription is active before
   * this starts, so nothing falls between the two.
   */
  async replay(sinceSeq: number): Promise<void> {
    this.#pending ??= [];
    try {
      let cursor = Math.max(sinceSeq, 0);
      for (;;) {
        const rows = await this.deps.repo.messagesSince(this.sessionId, cursor, REPLAY_PAGE);
        for (const row of rows) {
          if (row.eventSeq <= this.#lastSentSeq) continue;
          this.#lastSentSeq = row.eventSeq;
          this.#write(JSON.stringify(messageToFrame(row)), undefined);
          if (row.status === "streaming") await this.#replayChunks(row.messageId);
        }
        const last = rows.at(-1);
        if (!last || rows.length < REPLAY_PAGE || this.#closed) break;
        cursor = last.eventSeq;
      }
    } finally {
      const pending = this.#pending;
      this.#pending = undefined;
      for (const event of pending ?? []) this.deliver(event);
    }
  }

  /** Hold live events until the coming `replay` has sent what is stored (call before joining the room). */
  holdLive(): void {
    this.#pending ??= [];
  }

  /** Mark the seq the client already has (its `since_seq`), so live events below it are skipped. */
  startFrom(seq: number): void {
    this.#lastSentSeq = Math.max(this.#lastSentSeq, seq);
  }

  revoke(): void {
    // 4404, as for any session the user is not in: nothing about it is revealed.
    this.close(CloseCode.NotFound, "Session not found");
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#outbox = undefined;
    this.socket.close(code, reason);
    // A peer that never completes the closing handshake is cut off.
    setTimeout(() => this.socket.terminate(), 2_000).unref();
  }

  markClosed(): void {
    this.#closed = true;
    this.#outbox = undefined;
    clearTimeout(this.#expiryTimer);
  }

  /** The chunks a still-streaming reply has produced so far, from its Redis buffer. */
  async #replayChunks(messageId: string): Promise<void> {
    const entries = await this.deps.bus.buffers.read(keys.streamBuffer(messageId));
    for (const entry of entries) {
      const event = parseLiveEvent(entry.data);
      if (event?.chunk && this.#admitStreamFrame(event)) this.#write(event.payload, event.chunk);
    }
  }

  /**
   * Chunks have no seq: a replay from the buffer and the live stream overlap, and the index
   * tells which ones this socket already has. A higher attempt restarts the count.
   */
  #admitStreamFrame(event: LiveEvent): boolean {
    if (event.messageId === undefined) return true;
    if (event.type === "stream_end" || event.type === "stream_start") {
      // A new attempt (stream_start) restarts the count; an ended stream needs none.
      this.#streams?.delete(event.messageId);
      return true;
    }
    if (!event.chunk) return true;
    const attempt = event.chunk.attempt ?? 1;
    this.#streams ??= new Map();
    const seen = this.#streams.get(event.messageId);
    if (seen && (attempt < seen.attempt || (attempt === seen.attempt && event.chunk.index <= seen.index))) {
      return false;
    }
    this.#streams.set(event.messageId, { attempt, index: event.chunk.index });
    return true;
  }

  #write(data: string, chunk: LiveEvent["chunk"], bytes?: Buffer): void {
    if (this.#closed || this.socket.readyState !== this.socket.OPEN) return;
    if (!this.#outbox?.length && this.socket.bufferedAmount <= this.options.softBufferLimit) {
      // Sent as text either way; ws neither copies nor re-encodes a Buffer.
      if (bytes) this.socket.send(bytes, TEXT);
      else this.socket.send(data);
      return;
    }
    // Behind: hold the frame here, where chunks can still be merged and typing dropped.
    this.#outbox ??= new Outbox();
    this.#outbox.push(data, chunk);
    if (this.bufferedBytes > this.options.hardBufferLimit) {
      // Too slow: closing bounds this edge's memory; the client recovers by seq.
      this.logger.warn({ connection_id: this.id, buffered: this.bufferedBytes }, "slow consumer closed");
      this.close(CloseCode.TooMany, "Too slow: reconnect with since_seq");
      return;
    }
    this.#schedulePump();
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    const run = () => {
      clearTimeout(timer);
      raw?.off("drain", run);
      this.#pumpScheduled = false;
      this.#pump();
    };
    // ws has no drain event of its own; its net.Socket has (and the timer covers the rest).
    const raw = (this.socket as unknown as { _socket?: NodeJS.EventEmitter })._socket;
    raw?.once("drain", run);
    const timer = setTimeout(run, PUMP_RETRY_MS);
  }

  #pump(): void {
    while (this.#outbox?.length && !this.#closed) {
      if (this.socket.bufferedAmount > this.options.softBufferLimit) {
        this.#schedulePump();
        return;
      }
      const data = this.#outbox.shift();
      if (data !== undefined && this.socket.readyState === this.socket.OPEN) this.socket.send(data);
    }
  }
}
