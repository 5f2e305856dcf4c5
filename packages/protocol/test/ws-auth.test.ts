import { describe, expect, it } from "vitest";
import { fitsWsProtocol, tokenFromWsProtocols, WS_PROTOCOL, wsProtocols } from "../src";

describe("the WS token in Sec-WebSocket-Protocol", () => {
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXdpdGgtXy1hbmQtLQ";

  it("offers chat and bearer.<jwt>, and reads the token back from the header value", () => {
    expect(wsProtocols(jwt)).toEqual([WS_PROTOCOL, `bearer.${jwt}`]);
    // As Node hands the header over: the offers joined by ", ".
    expect(tokenFromWsProtocols(wsProtocols(jwt).join(", "))).toBe(jwt);
    expect(tokenFromWsProtocols(`bearer.${jwt},chat`)).toBe(jwt);
    expect(tokenFromWsProtocols(`graphql-ws, chat`)).toBeUndefined();
    expect(tokenFromWsProtocols(undefined)).toBeUndefined();
    expect(tokenFromWsProtocols("")).toBeUndefined();
    // An empty bearer entry is an empty token (refused as missing), not "no header token".
    expect(tokenFromWsProtocols("chat, bearer.")).toBe("");
  });

  it("knows which tokens a subprotocol can carry", () => {
    expect(fitsWsProtocol(jwt)).toBe(true);
    expect(fitsWsProtocol("not-a-jwt")).toBe(true);
    for (const opaque of ["abc=", "a/b", "a b", "a,b", "토큰", ""]) expect(fitsWsProtocol(opaque)).toBe(false);
  });
});
