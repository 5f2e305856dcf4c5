import { ChatSession, type ErrorFrame, type MessageFrame, type WebSocketConstructor } from "@chat/client";
import WebSocket from "ws";
import type { ChaosCluster } from "./cluster";

/**
 * A `ws` constructor that dials the edges in turn: each (re)connect of the SDK goes to the next
 * port `ports()` lists, so a client whose edge died lands on another one, as behind a gateway.
 */
export function rotatingWebSocket(
  ports: () => number[],
  start = 0,
  onSocket?: (ws: WebSocket) => void,
): WebSocketConstructor {
  let next = start;
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      const list = ports();
      const port = list[next++ % list.length];
      super(url.replace(/:\d+\//, `:${port}/`), protocols);
      onSocket?.(this);
    }
  };
}

export interface ConversationOptions {
  /** The demo agent (agent_id 1) answers every message. */
  agent?: boolean;
  /** Which edge this conversation dials first (spreads conversations over edges). */
  index?: number;
}

/** A client of a session recording what it was delivered (after the SDK's dedupe). */
export interface Watcher {
  session: ChatSession;
  received: MessageFrame[];
}

/**
 * One session, two users through the SDK: `writer` sends, `reader` watches. Records every
 * message the writer had acknowledged (the echoed `message` frame with its client_msg_id) and
 * every event the reader was delivered (after the SDK's dedupe), and every error frame.
 */
export class Conversation {
  readonly acked: MessageFrame[] = [];
  /** Sends the SDK gave up on (a non-retryable error, or closed before the ack). */
  readonly failed: unknown[] = [];
  readonly received: MessageFrame[] = [];
  readonly errors: ErrorFrame[] = [];
  sent = 0;
  /** When each acknowledged send was sent and acknowledged (ms since epoch). */
  readonly ackTimes: { sentAt: number; ackedAt: number }[] = [];
  readonly #pending = new Set<Promise<unknown>>();

  private constructor(
    readonly cluster: ChaosCluster,
    readonly sessionId: string,
    readonly writer: ChatSession,
    readonly reader: ChatSession,
    readonly readerUser: string,
    /** The reader's WebSockets, newest last (a test may pause one: a slow reader). */
    readonly readerSockets: WebSocket[],
  ) {
    for (const client of [writer, reader]) client.on("error", (frame) => this.errors.push(frame));
    reader.on("message", (frame) => this.received.push(frame));
  }

  static async open(cluster: ChaosCluster, options: ConversationOptions = {}): Promise<Conversation> {
    const tag = Math.random().toString(36).slice(2, 8);
    const [writer, reader] = [`w_${tag}`, `r_${tag}`];
    const headers = { authorization: `Bearer ${await cluster.token(writer)}`, "content-type": "application/json" };
    const created = await postRetrying(`${cluster.apiUrl}/api/chat/sessions`, {
      method: "POST",
      headers,
      body: JSON.stringify(options.agent ? { agent_id: 1 } : {}),
    });
    if (created.status !== 201) throw new Error(`create session: ${created.status} ${await created.text()}`);
    const { session_id: sessionId } = (await created.json()) as { session_id: string };
    const added = await postRetrying(`${cluster.apiUrl}/api/chat/sessions/${sessionId}/participants`, {
      method: "POST",
      headers,
      body: JSON.stringify({ user_id: reader }),
    });
    if (added.status !== 201) throw new Error(`add participant: ${added.status}`);
    const sockets: WebSocket[] = [];
    const conversation = new Conversation(
      cluster,
      sessionId,
      openClient(cluster, sessionId, writer, { start: options.index ?? 0 }),
      openClient(cluster, sessionId, reader, { start: (options.index ?? 0) + 1, onSocket: (ws) => sockets.push(ws) }),
      reader,
      sockets,
    );
    await Promise.all([opened(conversation.writer), opened(conversation.reader)]);
    return conversation;
  }

  /** Another client of the reader's user, from `sinceSeq` (a reconnecting client: a storm). */
  watch(sinceSeq = 0, start = 0): Watcher {
    const session = openClient(this.cluster, this.sessionId, this.readerUser, { start, sinceSeq });
    const received: MessageFrame[] = [];
    session.on("message", (frame) => received.push(frame));
    return { session, received };
  }

  send(content: string): void {
    this.sent += 1;
    const sentAt = Date.now();
    const sending = this.writer.send(content).then(
      (frame) => {
        this.acked.push(frame);
        this.ackTimes.push({ sentAt, ackedAt: Date.now() });
      },
      (error: unknown) => void this.failed.push(error),
    );
    this.#pending.add(sending);
    void sending.finally(() => this.#pending.delete(sending));
  }

  /** Sends still waiting for their acknowledgement. */
  get pending(): number {
    return this.#pending.size;
  }

  /** When the first message sent at or after `time` was acknowledged, if one was. */
  firstAckAfter(time: number): number | undefined {
    const after = this.ackTimes.filter((t) => t.sentAt >= time).map((t) => t.ackedAt);
    return after.length === 0 ? undefined : Math.min(...after);
  }

  close(): void {
    this.writer.close();
    this.reader.close();
  }
}

/**
 * A POST retried while the answer is 503 (retryable, e.g. the first query on a pool connection
 * that died with the previous fault), for up to 10 s, as a real client would: setup must not
 * fail on what the contract says to retry.
 */
export async function postRetrying(url: string, init: RequestInit): Promise<Response> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await fetch(url, { ...init, method: "POST", signal: AbortSignal.timeout(5_000) });
    if (response.status !== 503 || Date.now() > deadline) return response;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function openClient(
  cluster: ChaosCluster,
  sessionId: string,
  user: string,
  options: { start: number; sinceSeq?: number; onSocket?: (ws: WebSocket) => void },
): ChatSession {
  const edgePorts = () => cluster.of("ws-edge").map((edge) => edge.port);
  return new ChatSession({
    url: cluster.apiUrl,
    sessionId,
    token: () => cluster.token(user),
    sinceSeq: options.sinceSeq ?? 0,
    WebSocket: rotatingWebSocket(edgePorts, options.start, options.onSocket),
    backoff: { initialMs: 50, maxMs: 1_000 },
    ackTimeoutMs: 2_000,
  });
}

export function opened(session: ChatSession): Promise<void> {
  if (session.state === "open") return Promise.resolve();
  return new Promise((resolve) => {
    const off = session.on("state", ({ state }) => {
      if (state !== "open") return;
      off();
      resolve();
    });
  });
}
