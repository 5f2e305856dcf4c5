import { io as connectIo, type Socket as IoSocket } from "socket.io-client";
import WebSocket from "ws";

/** One connected client of the load generator, whatever the server speaks. */
export interface LoadClient {
  session: number;
  send(clientMsgId: string, content: string): void;
  close(): void;
}

/** Called for every message a client receives that the generator sent (has our id). */
export type OnDelivered = (clientMsgId: string) => void;

export interface ClientSpec {
  url: string;
  session: number;
  sessionId: string;
  userId: string;
  token: string;
}

export function openChatClient(spec: ClientSpec, onDelivered: OnDelivered): Promise<LoadClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${spec.url}/ws/${spec.sessionId}?token=${spec.token}`, { perMessageDeflate: false });
    ws.on("message", (data) => {
      const text = data.toString();
      // Cheap filter: only our own messages carry a client_msg_id "b-...".
      const at = text.indexOf('"client_msg_id":"b-');
      if (at >= 0) {
        const start = at + 17;
        onDelivered(text.slice(start, text.indexOf('"', start)));
      } else if (text.startsWith('{"type":"ready"')) {
        resolve({
          session: spec.session,
          send: (clientMsgId, content) =>
            ws.send(JSON.stringify({ type: "message", content, client_msg_id: clientMsgId })),
          close: () => ws.close(),
        });
      }
    });
    ws.on("error", reject);
    ws.on("close", (code) => reject(new Error(`closed ${code}`)));
  });
}

export function openSocketIoClient(spec: ClientSpec, onDelivered: OnDelivered): Promise<LoadClient> {
  return new Promise((resolve, reject) => {
    const socket: IoSocket = connectIo(spec.url, {
      transports: ["websocket"],
      query: { session: spec.sessionId, user: spec.userId },
      reconnection: false,
    });
    socket.on("message", (message: { client_msg_id?: string }) => {
      if (message.client_msg_id) onDelivered(message.client_msg_id);
    });
    socket.on("connect", () =>
      resolve({
        session: spec.session,
        send: (clientMsgId, content) => socket.emit("message", { content, client_msg_id: clientMsgId }),
        close: () => socket.close(),
      }),
    );
    socket.on("connect_error", reject);
  });
}

export interface RunResult {
  rate: number;
  sent: number;
  expected: number;
  delivered: number;
  lost: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] as number;
}

/**
 * Sends `rate` messages a second for `seconds`, round-robin over the clients, and measures the
 * time from send to each receipt by every client of the session (the sender included).
 */
export class LoadGenerator {
  readonly #sentAt = new Map<string, number>();
  readonly #pending = new Map<string, number>();
  #latencies: number[] = [];
  #delivered = 0;
  #counter = 0;
  clients: LoadClient[] = [];

  constructor(
    private readonly clientsPerSession: number,
    private readonly content: string,
  ) {}

  readonly onDelivered: OnDelivered = (id) => {
    const sent = this.#sentAt.get(id);
    if (sent === undefined) return;
    this.#latencies.push(performance.now() - sent);
    this.#delivered += 1;
    const left = (this.#pending.get(id) ?? 1) - 1;
    if (left <= 0) {
      this.#pending.delete(id);
      this.#sentAt.delete(id);
    } else this.#pending.set(id, left);
  };

  async run(rate: number, seconds: number, settleMs = 2_000): Promise<RunResult> {
    this.#latencies = [];
    this.#delivered = 0;
    this.#pending.clear();
    this.#sentAt.clear();
    let sent = 0;
    const tickMs = 5;
    const started = performance.now();
    let next = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = performance.now() - started;
        const due = Math.min(Math.floor((elapsed / 1_000) * rate), Math.floor(rate * seconds));
        for (; sent < due; sent++) {
          const client = this.clients[next++ % this.clients.length] as LoadClient;
          const id = `b-${(this.#counter++).toString(36)}`;
          this.#sentAt.set(id, performance.now());
          this.#pending.set(id, this.clientsPerSession);
          client.send(id, this.content);
        }
        if (elapsed >= seconds * 1_000) {
          clearInterval(timer);
          resolve();
        }
      }, tickMs);
    });
    const expected = sent * this.clientsPerSession;
    const deadline = performance.now() + settleMs;
    while (this.#delivered < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const sorted = this.#latencies.sort((a, b) => a - b);
    return {
      rate,
      sent,
      expected,
      delivered: this.#delivered,
      lost: expected - this.#delivered,
      seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? Number.NaN,
    };
  }
}
