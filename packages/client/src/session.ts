import type {
  ErrorFrame,
  MessageFrame,
  ReadyFrame,
  ServerFrame,
  StreamChunkFrame,
  StreamEndFrame,
  StreamStartFrame,
  SystemFrame,
  TypingFrame,
} from "@chat/protocol";
import { CloseCode, fitsWsProtocol, MISSING_TOKEN, terminalCloseCodes, wsProtocols } from "@chat/protocol";
import { type BackoffOptions, backoffDelay } from "./backoff";
import { Emitter } from "./emitter";
import { checkServerFrame } from "./frames";
import { newClientMsgId } from "./ids";
import { Outbox, SendError } from "./outbox";
import { type AgentReply, finishedMessage, ReplyAssembler, startedMessage } from "./replies";
import { TypingNotifier, type TypingOptions } from "./typing";
import { defaultWebSocket, OPEN, toWsUrl, type WebSocketConstructor, type WebSocketLike } from "./websocket";

export type TokenSource = string | (() => string | Promise<string>);

export interface SessionOptions {
  /** Base URL of the service, e.g. `http://localhost:8003` (the WS URL is derived from it). */
  url: string;
  sessionId: string;
  /** The JWT, or a function returning a fresh one (called before every connect). */
  token: TokenSource;
  /**
   * Where the socket carries the token: `"protocol"` offers it as the `bearer.<jwt>` subprotocol
   * (@chat/protocol `wsProtocols`), so it never appears in a URL that a proxy or a log may write
   * out; `"query"` puts it in `?token=` (the spec's form, for a gateway that drops the
   * `Sec-WebSocket-Protocol` header). An edge older than the header answers with 4401
   * "Missing token": the session then switches to `"query"` by itself and reconnects at once. A
   * token with characters a subprotocol cannot hold (not a JWT) always goes in `?token=`.
   * @default "protocol"
   */
  tokenIn?: "protocol" | "query";
  /** Deliver stored events after this seq first (e.g. the last seq of history loaded over REST).
   * @default undefined: live events only, from the moment of the first connect */
  sinceSeq?: number;
  /** WebSocket implementation. @default globalThis.WebSocket (pass `ws` in Node 20) */
  WebSocket?: WebSocketConstructor;
  backoff?: BackoffOptions;
  /** Resend an unacknowledged message after this many ms. @default 5_000 */
  ackTimeoutMs?: number;
  typing?: TypingOptions;
  /** Full inbound validation (e.g. `serverFrame.parse`); the default is a light check. */
  validate?: (data: unknown) => ServerFrame | undefined;
}

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

export interface StateChange {
  state: ConnectionState;
  /** Close code of the socket that just closed, if any. */
  code?: number;
  reason?: string;
  /** Delay before the next attempt, when reconnecting. */
  retryInMs?: number;
}

export type SessionEvents = {
  state: (change: StateChange) => void;
  ready: (frame: ReadyFrame) => void;
  /** Every persisted event exactly once, in seq order (stored messages, edits, agent replies). */
  message: (frame: MessageFrame) => void;
  /** Other users' typing (never your own). */
  typing: (frame: TypingFrame) => void;
  system: (frame: SystemFrame) => void;
  stream_start: (frame: StreamStartFrame) => void;
  stream_chunk: (frame: StreamChunkFrame) => void;
  stream_end: (frame: StreamEndFrame) => void;
  /** An agent reply changed (started, grew, ended, or was recovered). */
  reply: (reply: AgentReply) => void;
  error: (frame: ErrorFrame) => void;
  pong: (frame: Extract<ServerFrame, { type: "pong" }>) => void;
  /** Every valid inbound frame, before the client's own handling. */
  frame: (frame: ServerFrame) => void;
};

/**
 * One session over WebSocket: reconnects with backoff and jitter (at once after 1012, never
 * after 4401/4403/4404), recovers with `since_seq` and delivers each persisted event once, in
 * order; assembles agent replies; resends messages until the server acknowledges them.
 */
export class ChatSession extends Emitter<SessionEvents> {
  readonly sessionId: string;
  /** The highest event seq seen: the recovery cursor. */
  cursor: number | undefined;
  /** The user id of this connection (from `ready`). */
  userId: string | undefined;
  state: ConnectionState = "connecting";
  readonly replies = new ReplyAssembler();
  readonly #options: SessionOptions;
  readonly #WebSocket: WebSocketConstructor;
  /** Where the token rides; "protocol" until an old edge shows it reads only ?token=. */
  #tokenIn: "protocol" | "query";
  readonly #outbox: Outbox;
  readonly #typing: TypingNotifier;
  #ws: WebSocketLike | undefined;
  #attempt = 0;
  #restartSeen = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #resend: ReturnType<typeof setInterval> | undefined;
  #lastInbound = 0;
  #closed = false;

  constructor(options: SessionOptions) {
    super();
    this.#options = options;
    this.sessionId = options.sessionId;
    this.cursor = options.sinceSeq;
    this.#WebSocket = options.WebSocket ?? defaultWebSocket();
    this.#tokenIn = options.tokenIn ?? "protocol";
    this.#outbox = new Outbox(options.ackTimeoutMs ?? 5_000);
    this.#typing = new TypingNotifier(
      (isTyping) => this.#sendRaw({ type: "typing", is_typing: isTyping }),
      options.typing,
    );
    void this.#connect();
  }

  /** Send a text message; resolves with the stored message once the server acknowledged it. */
  send(content: string, options: { metadata?: Record<string, unknown>; clientMsgId?: string } = {}) {
    this.#typing.stop();
    const frame = { type: "message" as const, content, client_msg_id: options.clientMsgId ?? newClientMsgId() };
    return this.#enqueue(options.metadata ? { ...frame, metadata: options.metadata } : frame);
  }

  /** Post an uploaded file (by `file_id`) as a message. */
  sendFile(fileId: string, message?: string) {
    const frame = { type: "file" as const, file_id: fileId, client_msg_id: newClientMsgId() };
    return this.#enqueue(message === undefined ? frame : { ...frame, message });
  }

  /** Call on every keystroke in the message box: sends throttled typing frames, then a stop. */
  typing(): void {
    this.#typing.keystroke();
  }

  stopTyping(): void {
    this.#typing.stop();
  }

  /** Stop an agent reply. Returns false when not connected (use the REST cancel then). */
  cancel(messageId: string): boolean {
    return this.#sendRaw({ type: "cancel", message_id: messageId });
  }

  /** Move your read marker. */
  markRead(seq: number): boolean {
    return this.#sendRaw({ type: "read", seq });
  }

  /** Unacknowledged messages. */
  get pendingCount(): number {
    return this.#outbox.size;
  }

  /** Close for good (no reconnect); pending sends fail with CLOSED. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#typing.stop();
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    clearInterval(this.#resend);
    const ws = this.#ws;
    this.#ws = undefined;
    ws?.close(CloseCode.Normal, "client closed");
    this.#outbox.rejectAll(new SendError("CLOSED", "The session connection was closed"));
    this.#setState({ state: "closed", code: CloseCode.Normal });
  }

  #enqueue(frame: Parameters<Outbox["add"]>[0]): Promise<MessageFrame> {
    if (this.#closed) return Promise.reject(new SendError("CLOSED", "The session connection was closed"));
    const acked = this.#outbox.add(frame);
    this.#flush();
    return acked;
  }

  #flush(): void {
    if (this.state !== "open") return;
    for (const frame of this.#outbox.due(Date.now())) this.#sendRaw(frame);
  }

  #sendRaw(frame: object): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== OPEN || this.state !== "open") return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  #setState(change: StateChange): void {
    this.state = change.state;
    this.emit("state", change);
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const { token } = this.#options;
    let value: string;
    try {
      value = typeof token === "function" ? await token() : token;
    } catch {
      return this.#scheduleReconnect(undefined, "token source failed");
    }
    if (this.#closed) return;
    const inQuery = this.#tokenIn === "query" || !fitsWsProtocol(value);
    const params = new URLSearchParams(inQuery ? { token: value } : {});
    if (this.cursor !== undefined) params.set("since_seq", String(this.cursor));
    const search = params.toString();
    const query = search ? `?${search}` : "";
    const url = `${toWsUrl(this.#options.url)}/ws/${encodeURIComponent(this.sessionId)}${query}`;
    let ws: WebSocketLike;
    try {
      ws = inQuery ? new this.#WebSocket(url) : new this.#WebSocket(url, wsProtocols(value));
    } catch (error) {
      return this.#scheduleReconnect(undefined, String(error));
    }
    this.#ws = ws;
    ws.onmessage = (event) => {
      if (this.#ws === ws) this.#onData(event.data);
    };
    ws.onclose = (event) => {
      if (this.#ws === ws) this.#onClose(event.code, event.reason);
    };
    ws.onerror = () => {}; // a close event always follows
  }

  #onClose(code: number, reason: string): void {
    this.#ws = undefined;
    clearInterval(this.#heartbeat);
    clearInterval(this.#resend);
    if (this.#closed) return;
    // An edge older than the subprotocol found no token: its socket carried it in the header.
    if (code === CloseCode.Unauthorized && reason === MISSING_TOKEN && this.#tokenIn === "protocol") {
      this.#tokenIn = "query";
      this.#setState({ state: "reconnecting", code, reason, retryInMs: 0 });
      this.#timer = setTimeout(() => void this.#connect(), 0);
      return;
    }
    if (terminalCloseCodes.has(code)) {
      this.#closed = true;
      this.#outbox.rejectAll(new SendError(`CLOSED_${code}`, reason || `Connection closed with ${code}`));
      this.#setState({ state: "closed", code, reason });
      return;
    }
    this.#scheduleReconnect(code, reason);
  }

  #scheduleReconnect(code: number | undefined, reason: string): void {
    // 1012: the edge restarts and others are up, so come back at once; but only once in a row,
    // since a draining edge may answer the next attempt with 1012 again.
    const immediate = code === CloseCode.ServiceRestart && !this.#restartSeen;
    this.#restartSeen = code === CloseCode.ServiceRestart;
    const delay = immediate ? 0 : backoffDelay(this.#attempt++, this.#options.backoff);
    this.#setState({ state: "reconnecting", code, reason, retryInMs: delay });
    this.#timer = setTimeout(() => void this.#connect(), delay);
  }

  #onData(data: unknown): void {
    this.#lastInbound = Date.now();
    if (typeof data !== "string") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    const frame = (this.#options.validate ?? checkServerFrame)(parsed);
    if (!frame) return;
    this.emit("frame", frame);
    switch (frame.type) {
      case "ready":
        this.#onReady(frame);
        break;
      case "message":
        this.#onMessage(frame);
        break;
      case "stream_start":
        this.#onStreamStart(frame);
        break;
      case "stream_chunk": {
        this.emit("stream_chunk", frame);
        const reply = this.replies.chunk(frame);
        if (reply) this.emit("reply", reply);
        break;
      }
      case "stream_end":
        this.#onStreamEnd(frame);
        break;
      case "typing":
        if (frame.user_id !== this.userId) this.emit("typing", frame);
        break;
      case "system":
        this.emit("system", frame);
        break;
      case "error":
        this.#outbox.fail(frame, Date.now());
        this.emit("error", frame);
        break;
      case "pong":
        this.emit("pong", frame);
        break;
    }
  }

  #onReady(frame: ReadyFrame): void {
    this.#attempt = 0;
    this.#restartSeen = false;
    this.userId = frame.user_id;
    // First connect without a cursor: start from now.
    this.cursor ??= frame.last_seq;
    this.#setState({ state: "open" });
    this.emit("ready", frame);
    this.#outbox.resetSent();
    this.#flush();
    this.#startHeartbeat(frame.heartbeat_interval_ms);
  }

  /** Deliver a persisted event unless it was seen already (by its event seq). */
  #deliver(frame: MessageFrame): void {
    if (this.cursor !== undefined && frame.event_seq <= this.cursor) return;
    this.cursor = frame.event_seq;
    this.emit("message", frame);
  }

  #onMessage(frame: MessageFrame): void {
    // Acknowledge first: a resend of a stored message is answered with the old (seen) event.
    this.#outbox.ack(frame);
    const isNew = this.cursor === undefined || frame.event_seq > this.cursor;
    this.#deliver(frame);
    if (!isNew) return;
    const reply = this.replies.fromMessage(frame);
    if (reply) this.emit("reply", reply);
  }

  #onStreamStart(frame: StreamStartFrame): void {
    this.emit("stream_start", frame);
    const reply = this.replies.start(frame);
    this.emit("reply", reply);
    // The reply row is stored at stream_start: it is a persisted event (recovery replays it as a
    // `message` with status streaming), so live clients see it as one too.
    this.#deliver(startedMessage(frame));
  }

  #onStreamEnd(frame: StreamEndFrame): void {
    this.emit("stream_end", frame);
    const reply = this.replies.end(frame);
    const unseen = frame.event_seq !== undefined && frame.event_seq > (this.cursor ?? 0);
    if (unseen && (!reply || reply.missedChunks)) {
      // Chunks were lost while away, or the reply started before we connected: get the stored
      // reply by reconnecting from the cursor, which replays it as a `message` with its full text.
      this.#resync();
      return;
    }
    if (!reply) return;
    this.emit("reply", reply);
    if (frame.event_seq === undefined) return;
    // The finished reply is a stored event too (recovery sends it as a `message`).
    this.#deliver(finishedMessage(frame, reply, frame.event_seq));
  }

  /** Reconnect now, from the cursor (no backoff: nothing is wrong with the server). */
  #resync(): void {
    const ws = this.#ws;
    this.#ws = undefined;
    clearInterval(this.#heartbeat);
    clearInterval(this.#resend);
    ws?.close(4000, "resync");
    this.#setState({ state: "reconnecting", reason: "resync", retryInMs: 0 });
    void this.#connect();
  }

  /** App-level pings (browsers cannot see WS pings): a silent connection is dropped and redone. */
  #startHeartbeat(intervalMs: number): void {
    clearInterval(this.#heartbeat);
    const every = Math.max(1_000, intervalMs);
    this.#heartbeat = setInterval(() => {
      const ws = this.#ws;
      if (!ws) return;
      if (Date.now() - this.#lastInbound > every * 2.5) {
        this.#ws = undefined;
        ws.close(4000, "heartbeat timeout");
        this.#onClose(CloseCode.GoingAway, "heartbeat timeout");
        return;
      }
      this.#sendRaw({ type: "ping" });
    }, every);
    // Resend what is still unacknowledged after ackTimeoutMs (or a rate limit's retry_after).
    clearInterval(this.#resend);
    this.#resend = setInterval(() => this.#flush(), Math.max(250, (this.#options.ackTimeoutMs ?? 5_000) / 4));
  }
}
