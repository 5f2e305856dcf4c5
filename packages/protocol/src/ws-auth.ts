/**
 * The token of a WebSocket in the `Sec-WebSocket-Protocol` header instead of the URL.
 *
 * Browsers cannot set headers on a WebSocket, but they can offer subprotocols, and a JWT is made
 * of characters a subprotocol may hold. A client offers {@link WS_PROTOCOL} and
 * `bearer.<jwt>`; the edge takes the token from the second and selects the first, so the token
 * is never echoed back. Unlike `?token=` (the spec's form, still accepted), a header is not part
 * of the request line that proxies and nginx's error log write out.
 */

/** The subprotocol the edge selects when a client offers it. */
export const WS_PROTOCOL = "chat";

/** Prefix of the offered subprotocol that carries the token. */
export const WS_TOKEN_PROTOCOL_PREFIX = "bearer.";

/**
 * The error message (and WS close reason, with 4401) when a request carries no token at all. An
 * edge older than the subprotocol closes a socket whose token is only in the header with it:
 * the SDK then falls back to `?token=`.
 */
export const MISSING_TOKEN = "Missing token";

/** RFC 7230 `token` characters, all a subprotocol may hold (a JWT's base64url and dots are). */
const PROTOCOL_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Whether `token` can ride as a subprotocol. A browser's `new WebSocket()` throws for one that
 * cannot (an opaque token with `=` or `/`, say); such a token goes in `?token=` instead.
 */
export function fitsWsProtocol(token: string): boolean {
  return PROTOCOL_TOKEN.test(token);
}

/** What a client offers: `new WebSocket(url, wsProtocols(token))`. */
export function wsProtocols(token: string): string[] {
  return [WS_PROTOCOL, `${WS_TOKEN_PROTOCOL_PREFIX}${token}`];
}

/** The token among offered subprotocols (a `Sec-WebSocket-Protocol` header value), if any. */
export function tokenFromWsProtocols(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const entry of header.split(",")) {
    const protocol = entry.trim();
    if (protocol.startsWith(WS_TOKEN_PROTOCOL_PREFIX)) return protocol.slice(WS_TOKEN_PROTOCOL_PREFIX.length);
  }
  return undefined;
}
