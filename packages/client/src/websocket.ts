/** The part of the WebSocket API the client uses: the browser's, or `ws` in Node. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** WebSocket.OPEN, without needing the constructor at hand. */
export const OPEN = 1;

export function defaultWebSocket(): WebSocketConstructor {
  const ctor = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof ctor !== "function") {
    throw new Error("No global WebSocket: pass options.WebSocket (e.g. the `ws` package in Node)");
  }
  return ctor as WebSocketConstructor;
}

/** `http(s)://host/base` → `ws(s)://host/base`. */
export function toWsUrl(baseUrl: string): string {
  return baseUrl.replace(/^http(s?):\/\//, "ws$1://").replace(/\/$/, "");
}
