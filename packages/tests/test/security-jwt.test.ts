import { createHmac, randomBytes } from "node:crypto";
import { type IncomingHttpHeaders, request } from "node:http";
import { CloseCode, WS_PROTOCOL, wsProtocols } from "@chat/protocol";
import { generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { makePng, openSocket, reportSuiteFigure, TEST_SECRET, uploadFile, useStack } from "../src";
import { spawnApp } from "../src/processes";

/**
 * Forged, stale and misplaced tokens on every way in: REST, SSE (post and resume), file
 * download by bearer, and the WebSocket. The service pins HS256 with `sub` and `exp` required
 * (packages/core/src/auth.ts): every one of these is 401, or a 4401 close on the socket.
 */

const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const secret = new TextEncoder().encode(TEST_SECRET);
const inAnHour = () => Math.floor(Date.now() / 1_000) + 3_600;

/** A token with exactly these claims (jose's builder adds only what it is asked to). */
const hs = (claims: JWTPayload, alg = "HS256", key: Uint8Array = secret) =>
  new SignJWT(claims).setProtectedHeader({ alg }).sign(key);

/** Signed by hand: headers jose would refuse to produce. */
function handSigned(header: Record<string, unknown>, claims: JWTPayload): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac("sha256", TEST_SECRET).update(input).digest("base64url")}`;
}

async function forgedTokens(owner: string): Promise<Record<string, string>> {
  const good = { sub: owner, exp: inAnHour() };
  const valid = await hs(good);
  const [head, , sig] = valid.split(".");
  const rsa = await generateKeyPair("RS256");
  return {
    "alg none": `${b64({ alg: "none", typ: "JWT" })}.${b64(good)}.`,
    "alg None with a signature": `${b64({ alg: "None", typ: "JWT" })}.${b64(good)}.${sig}`,
    "HS512 (algorithm not pinned)": await hs(good, "HS512"),
    "HS384 (algorithm not pinned)": await hs(good, "HS384"),
    "RS256 own key": await new SignJWT(good).setProtectedHeader({ alg: "RS256" }).sign(rsa.privateKey),
    "wrong secret": await hs(good, "HS256", new TextEncoder().encode("guessed-secret")),
    "development default secret": await hs(
      good,
      "HS256",
      new TextEncoder().encode("local-dev-secret-key-change-in-production"),
    ),
    expired: await hs({ sub: owner, exp: Math.floor(Date.now() / 1_000) - 120 }),
    "no exp": await hs({ sub: owner }),
    "exp as a string": await hs({ sub: owner, exp: String(inAnHour()) as unknown as number }),
    "not yet valid (nbf)": await hs({ ...good, nbf: inAnHour() - 60 }),
    "no sub": await hs({ exp: inAnHour(), user_id: owner }),
    "empty sub": await hs({ sub: "", exp: inAnHour() }),
    "numeric sub": await hs({ sub: 42 as unknown as string, exp: inAnHour() }),
    "sub of 101 characters": await hs({ sub: "x".repeat(101), exp: inAnHour() }),
    "payload swapped (another sub, original signature)": `${head}.${b64({ ...good, sub: "someone.else" })}.${sig}`,
    "unknown critical header": handSigned({ alg: "HS256", crit: ["x-evil"], "x-evil": 1 }, good),
    "header without alg": handSigned({ typ: "JWT" }, good),
    garbage: "not-a-jwt",
    "three empty parts": "..",
    "two parts": `${head}.${b64(good)}`,
    "header not JSON": `${b64("{{")}.${b64(good)}.${sig}`,
    "signature cut short": valid.slice(0, -4),
  };
}

describe("JWT attacks on REST, SSE, downloads and WS", { timeout: 60_000 }, () => {
  const stack = useStack({ worker: false });
  const owner = "jwt.owner";
  let sessionId: string;
  let replyId: string;
  let fileId: string;
  beforeAll(async () => {
    const created = await stack().request(owner, "POST", "/api/chat/sessions", { agent_id: 1 });
    sessionId = created.body.session_id;
    const posted = await stack().request(owner, "POST", `/api/chat/sessions/${sessionId}/messages`, { content: "hi" });
    const regenerated = await stack().request(
      owner,
      "POST",
      `/api/chat/sessions/${sessionId}/messages/${posted.body.message_id}/regenerate`,
    );
    replyId = regenerated.body.message_id;
    fileId = (await uploadFile(stack(), owner, sessionId, { data: makePng(4, 4) })).body.file_id;
  });

  /** Opens a socket; resolves with "ready" or the close code. */
  async function wsOutcome(url: string, options: Parameters<typeof openSocket>[1]): Promise<string> {
    await using socket = openSocket(url, options);
    const ready = socket.next("ready").then(
      () => "ready",
      () => "",
    );
    const closed = socket.closed.then(({ code }) => String(code));
    return await Promise.race([ready, closed]); // awaited: the socket is disposed on return
  }

  /** Every way in, with the credentials placed by `auth`; resolves with the status or close code. */
  function doors(auth: { header?: string; query?: string; cookie?: string; protocols?: string[] }) {
    const base = `${stack().apiUrl}/api/chat/sessions/${sessionId}`;
    const query = auth.query ?? "";
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (auth.header !== undefined) headers.authorization = auth.header;
    if (auth.cookie !== undefined) headers.cookie = auth.cookie;
    const http = (url: string, init: RequestInit = {}) =>
      fetch(url, { headers, ...init, signal: AbortSignal.timeout(10_000) }).then(async (r) => {
        const json = r.headers.get("content-type")?.includes("json");
        const body = (json ? await r.json() : await r.body?.cancel()) as { error?: { code?: string } } | undefined;
        return r.status === 401 && body?.error?.code !== "UNAUTHORIZED" ? "401 without UNAUTHORIZED" : String(r.status);
      });
    return {
      "REST list": http(`${stack().apiUrl}/api/chat/sessions${query}`),
      "SSE post": http(`${base}/messages/stream${query}`, { method: "POST", body: '{"content":"x"}' }),
      "SSE resume": http(`${base}/messages/${replyId}/stream${query}`),
      download: http(`${stack().apiUrl}/files/${fileId}${query}`),
      ws: wsOutcome(`${stack().edges[0]?.url}/ws/${sessionId}${query}`, {
        headers: auth.header === undefined ? {} : { authorization: auth.header },
        ...(auth.protocols ? { protocols: auth.protocols } : {}),
      }),
    };
  }

  it("refuses every forged, stale or malformed token: 401 / 4401", async () => {
    const tokens = await forgedTokens(owner);
    const tried: string[] = [];
    const failures: string[] = [];
    await Promise.all(
      Object.entries(tokens).flatMap(([name, token]) => {
        const rest = doors({ header: `Bearer ${token}` });
        const ws = doors({ query: `?token=${encodeURIComponent(token)}` }).ws;
        const wsProtocol = doors({ protocols: wsProtocols(token) }).ws;
        return Object.entries({ ...rest, ws, "ws (Sec-WebSocket-Protocol)": wsProtocol }).map(
          async ([door, result]) => {
            tried.push(`${name} → ${door}`);
            const got = await result;
            const expected = door.startsWith("ws") ? String(CloseCode.Unauthorized) : "401";
            if (got !== expected) failures.push(`${name} → ${door}: ${got}`);
          },
        );
      }),
    );
    reportSuiteFigure({
      section: "authz",
      name: "forged / stale / malformed JWTs",
      figures: {
        tokens: Object.keys(tokens).length,
        cases: tried.length,
        passed: tried.length - failures.length,
        leaks: 0,
      },
    });
    expect(failures).toEqual([]);
  });

  it("accepts the token only where it belongs: header for HTTP, ?token= or the bearer. subprotocol for WS", async () => {
    const token = await stack().token(owner);
    const misplaced = {
      "?token= on HTTP": doors({ query: `?token=${token}` }),
      "?access_token= on HTTP and WS": doors({ query: `?access_token=${token}` }),
      cookie: doors({ cookie: `token=${token}; access_token=${token}` }),
      "Authorization: Token": doors({ header: `Token ${token}` }),
      "Authorization: Basic": doors({ header: `Basic ${b64(`${owner}:${token}`)}` }),
      "Authorization: bare token": doors({ header: token }),
      "Authorization: two tokens": doors({ header: `Bearer ${token} ${token}` }),
      "subprotocol without the bearer. prefix": doors({ protocols: [WS_PROTOCOL, token] }),
    };
    const failures: string[] = [];
    let cases = 0;
    await Promise.all(
      Object.entries(misplaced).flatMap(([name, results]) =>
        Object.entries(results).map(async ([door, result]) => {
          const got = await result;
          // ?token= is the WebSocket's documented place: there it must work.
          const allowed = name === "?token= on HTTP" && door === "ws";
          if (allowed && got !== "ready") failures.push(`${name} → ${door}: ${got}`);
          if (allowed) return;
          cases += 1;
          const expected = door === "ws" ? String(CloseCode.Unauthorized) : "401";
          if (got !== expected) failures.push(`${name} → ${door}: ${got}`);
        }),
      ),
    );
    reportSuiteFigure({
      section: "authz",
      name: "tokens in the wrong place",
      figures: { cases, passed: cases - failures.length, leaks: 0 },
    });
    expect(failures).toEqual([]);
    // Control: the same token where it belongs opens every door (so the refusals above are the auth's).
    const right = doors({ header: `Bearer ${token}`, query: `?token=${token}` });
    const opened = await Promise.all(Object.values(right));
    expect(Object.fromEntries(Object.keys(right).map((door, i) => [door, opened[i]]))).toEqual({
      "REST list": "200",
      "SSE post": "200",
      "SSE resume": "200",
      download: "200",
      ws: "ready",
    });
  });

  it("takes the WS token from Sec-WebSocket-Protocol before ?token=, and never echoes it", async () => {
    const url = `${stack().edges[0]?.url}/ws/${sessionId}`;
    const token = await stack().token(owner);
    {
      await using socket = openSocket(url, { protocols: wsProtocols(token) });
      expect((await socket.next("ready")).user_id).toBe(owner);
      expect(socket.ws.protocol).toBe(WS_PROTOCOL);
    }
    // Only the bearer entry offered: the 101 selects no protocol (ws's default would have echoed
    // the first offer, the token with it). Browsers then drop the socket, so clients offer "chat".
    const upgrade = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      const req = request(url.replace(/^ws/, "http"), {
        headers: {
          connection: "Upgrade",
          upgrade: "websocket",
          "sec-websocket-version": "13",
          "sec-websocket-key": randomBytes(16).toString("base64"),
          "sec-websocket-protocol": `bearer.${token}`,
        },
      });
      req.on("upgrade", (res, socket) => {
        socket.destroy();
        resolve(res.headers);
      });
      req.on("response", (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on("error", reject);
      req.end();
    });
    expect(upgrade["sec-websocket-protocol"]).toBeUndefined();
    // The header's token is the one used: a good one wins over a bad ?token=, and a bad one
    // is refused even beside a good ?token=.
    expect(await wsOutcome(`${url}?token=garbage`, { protocols: wsProtocols(token) })).toBe("ready");
    expect(await wsOutcome(`${url}?token=${token}`, { protocols: wsProtocols("garbage") })).toBe(
      String(CloseCode.Unauthorized),
    );
  });

  it("api and ws-edge (the production apps) refuse to start with the development secret under NODE_ENV=production", async () => {
    const refusals = await Promise.all(
      (["api", "ws-edge"] as const).map((app) =>
        spawnApp(app, { NODE_ENV: "production", DATA_DIR: "/nonexistent-never-opened" }).then(
          async (started) => {
            await started.stop("SIGKILL");
            return `${app} started`;
          },
          (error: Error) =>
            error.message.includes("JWT_SECRET_KEY: the development default") ? "refused" : error.message,
        ),
      ),
    );
    expect(refusals).toEqual(["refused", "refused"]);
  });
});
