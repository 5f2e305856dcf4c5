/**
 * An event handler slot, checked bivariantly (as DOM typings are), so that implementations with
 * richer event types (the browser's, `ws`'s) fit without a cast.
 */
type Handler<E> = { bivarianceHack(event: E): void }["bivarianceHack"] | null;

/** The part of the WebSocket API the client uses: the browser's, or `ws` in Node. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown>;
  onmessage: Handler<{ data: unknown }>;
  onclose: Handler<{ code: number; reason: string }>;
  onerror: Handler<unknown>;
}

/** The browser's `WebSocket(url, protocols)`, or `ws`'s (whose third argument is not used). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

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
