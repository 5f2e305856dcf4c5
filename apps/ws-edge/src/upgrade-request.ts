import type { IncomingMessage } from "node:http";
import { tokenFromWsProtocols } from "@chat/protocol";

export interface UpgradeTarget {
  sessionId: string;
  token: string | undefined;
  sinceSeq: number | undefined;
}

const SESSION_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * `/ws/{session_id}?token=JWT&since_seq=N` → its parts; undefined when the path is not a
 * WebSocket route at all. An invalid session id or since_seq is reported as `invalid`. A token
 * offered as the `bearer.<jwt>` subprotocol (@chat/protocol `wsProtocols`) is used before
 * `?token=`.
 */
export function parseUpgradeTarget(req: IncomingMessage): UpgradeTarget | "invalid" | undefined {
  const url = new URL(req.url ?? "/", "http://edge");
  const match = url.pathname.match(/^\/ws\/([^/]+)\/?$/);
  if (!match?.[1]) return undefined;
  let sessionId: string;
  try {
    sessionId = decodeURIComponent(match[1]);
  } catch {
    return "invalid";
  }
  if (!SESSION_ID.test(sessionId)) return "invalid";
  const since = url.searchParams.get("since_seq");
  if (since !== null && !/^\d{1,15}$/.test(since)) return "invalid";
  return {
    sessionId,
    token: tokenFromWsProtocols(req.headers["sec-websocket-protocol"]) ?? url.searchParams.get("token") ?? undefined,
    sinceSeq: since === null ? undefined : Number(since),
  };
}

/** Browsers always send Origin; other clients may not. Same-origin pages are allowed. */
export function isOriginAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes("*") || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
