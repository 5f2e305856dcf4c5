import type { ServerFrame } from "@chat/protocol";
import WebSocket from "ws";

/** A raw WebSocket test client that records every frame and close. */
export interface TestSocket extends AsyncDisposable {
  ws: WebSocket;
  frames: ServerFrame[];
  /** Resolves with the first recorded frame (past or future) matching `match`. */
  next<T extends ServerFrame["type"]>(
    type: T,
    match?: (frame: Extract<ServerFrame, { type: T }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<ServerFrame, { type: T }>>;
  /** Resolves when the socket closes, with the code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
  close(): Promise<void>;
}

export function openSocket(
  url: string,
  options: { origin?: string; headers?: Record<string, string>; protocols?: string[] } = {},
): TestSocket {
  const ws = new WebSocket(url, options.protocols ?? [], { origin: options.origin, headers: options.headers });
  const frames: ServerFrame[] = [];
  const waiters = new Set<() => void>();
  ws.on("message", (data) => {
    frames.push(JSON.parse(data.toString()) as ServerFrame);
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on("close", (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of waiters) wake();
    });
  });
  ws.on("error", () => {}); // surfaced through `closed`

  const socket: TestSocket = {
    ws,
    frames,
    closed,
    next(type, match, timeoutMs = 5_000) {
      type F = Extract<ServerFrame, { type: typeof type }>;
      const find = () => frames.find((f): f is F => f.type === type && (!match || match(f as F)));
      return new Promise<F>((resolve, reject) => {
        const check = () => {
          const found = find();
          if (found) {
            done();
            resolve(found);
          } else if (ws.readyState === WebSocket.CLOSED) {
            done();
            reject(new Error(`socket closed before a ${type} frame arrived`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${type} frame within ${timeoutMs} ms; got ${frames.map((f) => f.type).join(",")}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }) as never;
    },
    send(frame) {
      ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      await closed;
    },
    [Symbol.asyncDispose]() {
      return socket.close();
    },
  };
  return socket;
}
