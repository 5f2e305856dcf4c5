import type { Logger } from "@chat/core";
import { messageToFrame } from "@chat/core";
import type { SessionRow } from "@chat/db";
import { type ChatError, CloseCode, type ErrorFrame, type ServerFrame } from "@chat/protocol";
import type { WebSocket } from "ws";
import type { ResolvedEdgeOptions, WsEdgeDeps } from "./options";
import type { RoomMember } from "./rooms";

/** Largest page read from PostgreSQL at a time while replaying. */
const REPLAY_PAGE = 500;

/**
 * One open socket: sends frames with backpressure, replays stored events on (re)connect, and
 * keeps live delivery gap-free and duplicate-free around a replay.
 */
export class Connection implements RoomMember {
  /** Highest seq sent on this socket. */
  #lastSentSeq = 0;
  /** Live events that arrived while a replay was running, sent after it. */
  #pending: { payload: string; seq: number | undefined }[] | undefined;
  #alive = true;
  #expiryTimer: NodeJS.Timeout | undefined;
  #closed = false;
  lastActivity = Date.now();

  constructor(
    readonly id: string,
    readonly socket: WebSocket,
    readonly userId: string,
    readonly session: SessionRow,
    /** When the token expires (ms since epoch): the socket is closed with 4401 then. */
    readonly expiresAt: number,
    private readonly deps: Pick<WsEdgeDeps, "repo">,
    private readonly options: ResolvedEdgeOptions,
    private readonly logger: Logger,
  ) {
    socket.on("pong", () => {
      this.#alive = true;
    });
    const untilExpiry = expiresAt - Date.now();
    // Timers past 2^31-1 ms fire at once; later expiries are caught by the heartbeat instead.
    if (untilExpiry < 2 ** 31 - 1) {
      this.#expiryTimer = setTimeout(
        () => this.close(CloseCode.Unauthorized, "Token expired"),
        Math.max(untilExpiry, 0),
      );
      this.#expiryTimer.unref();
    }
  }

  get sessionId(): string {
    return this.session.sessionId;
  }

  /** Heartbeat tick: terminate a peer that did not answer the last ping. */
  heartbeat(now: number): void {
    if (now >= this.expiresAt) {
      this.close(CloseCode.Unauthorized, "Token expired");
      return;
    }
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
    this.#write(JSON.stringify(frame));
  }

  sendError(error: ChatError, ref?: string): void {
    const frame: ErrorFrame = { type: "error", code: error.code, message: error.message };
    if (error.retryAfterMs !== undefined) frame.retry_after = error.retryAfterMs;
    if (error.details) frame.details = error.details;
    if (ref) frame.ref = ref;
    this.send(frame);
  }

  deliver(payload: string, seq: number | undefined): void {
    if (this.#pending) {
      this.#pending.push({ payload, seq });
      return;
    }
    if (seq !== undefined) {
      // Already sent by a replay (or a duplicate publish): the client sees each seq once.
      if (seq <= this.#lastSentSeq) return;
      this.#lastSentSeq = seq;
    }
    this.#write(payload);
  }

  deliverTyping(payload: string): void {
    // Typing is best-effort: a socket that is behind gets none.
    if (this.socket.bufferedAmount > this.options.softBufferLimit) return;
    this.#write(payload);
  }

  /**
   * Send every stored event after `sinceSeq`, then whatever arrived live meanwhile. The room
   * subscription is active before this starts, so nothing falls between the two.
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
          this.#write(JSON.stringify(messageToFrame(row)));
        }
        const last = rows.at(-1);
        if (!last || rows.length < REPLAY_PAGE || this.#closed) break;
        cursor = last.eventSeq;
      }
    } finally {
      const pending = this.#pending;
      this.#pending = undefined;
      for (const event of pending ?? []) this.deliver(event.payload, event.seq);
    }
  }

  /** Mark the seq the client already has (its `since_seq`), so live events below it are skipped. */
  startFrom(seq: number): void {
    this.#lastSentSeq = Math.max(this.#lastSentSeq, seq);
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.close(code, reason);
    // A peer that never completes the closing handshake is cut off.
    setTimeout(() => this.socket.terminate(), 2_000).unref();
  }

  markClosed(): void {
    this.#closed = true;
    clearTimeout(this.#expiryTimer);
  }

  #write(data: string): void {
    if (this.#closed || this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > this.options.hardBufferLimit) {
      // The reader is too slow: closing bounds this edge's memory; the client recovers by seq.
      this.logger.warn({ connection_id: this.id, buffered: this.socket.bufferedAmount }, "slow consumer closed");
      this.close(CloseCode.TooMany, "Too slow: reconnect with since_seq");
      return;
    }
    this.socket.send(data);
  }
}
