import { Writable } from "node:stream";
import { createLogger } from "@chat/core";
import { wsProtocols } from "@chat/protocol";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
  makePng,
  openSocket,
  openSse,
  reportSuiteFigure,
  startStack,
  TEST_SECRET,
  type TestStack,
  uploadFile,
} from "../src";
import { nginxAvailable, startGateway } from "../src/nginx";
import { freePort } from "../src/processes";

/** A pino destination that keeps every line. */
function captureLines() {
  const lines: string[] = [];
  let tail = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      const parts = (tail + chunk.toString()).split("\n");
      tail = parts.pop() ?? "";
      lines.push(...parts.filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

/**
 * The same kinds of traffic through the real nginx gateway (infra/nginx): WS with ?token= and in
 * Sec-WebSocket-Protocol, refused WS, a signed download, a bearer call. Returns its access log
 * lines.
 */
async function throughGateway(stack: TestStack, sessionId: string, token: string, forged: string, fileUrl: string) {
  const port = await freePort();
  const host = (url: string) => new URL(url).host;
  const gateway = await startGateway({ port, wsEdges: [host(stack.edges[0]?.url ?? "")], apis: [host(stack.apiUrl)] });
  try {
    const ws = (jwt: string) => `ws://127.0.0.1:${port}/ws/${sessionId}?token=${jwt}`;
    {
      await using socket = openSocket(ws(token));
      await socket.next("ready");
    }
    {
      await using refused = openSocket(ws(forged));
      await refused.closed;
    }
    for (const jwt of [token, forged]) {
      await using socket = openSocket(`ws://127.0.0.1:${port}/ws/${sessionId}`, { protocols: wsProtocols(jwt) });
      await (jwt === token ? socket.next("ready") : socket.closed);
    }
    expect((await fetch(`http://127.0.0.1:${port}${fileUrl}`)).status).toBe(200);
    const listed = await fetch(`http://127.0.0.1:${port}/api/chat/sessions`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(listed.status).toBe(200);
  } finally {
    await gateway.stop(); // a WebSocket is logged when it ends
  }
  expect(gateway.accessLog.some((line) => line.includes(`/ws/${sessionId}`))).toBe(true);
  return gateway.accessLog;
}

describe("logs never carry tokens", { timeout: 60_000 }, () => {
  it("REST, SSE, WS, uploads, signed downloads and failed auth log no token, signature or message text", async () => {
    const { stream, lines } = captureLines();
    // Trace level: every line any component can write, not only what production shows.
    const logger = createLogger({ name: "security-logs", level: "trace", destination: stream });
    await using stack = await startStack({ logger, delayMs: 1 });
    const user = "logs.alice";
    const token = await stack.token(user);
    const bearer = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const text = "logs-secret-text-7f3a";
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(user)
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("wrong-secret"));
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(user)
      .setExpirationTime(Math.floor(Date.now() / 1_000) - 60)
      .sign(new TextEncoder().encode(TEST_SECRET));

    const created = await fetch(`${stack.apiUrl}/api/chat/sessions`, {
      method: "POST",
      headers: bearer,
      body: JSON.stringify({ agent_id: 1, title: text }),
    }).then((r) => r.json() as Promise<{ session_id: string }>);
    const base = `${stack.apiUrl}/api/chat/sessions/${created.session_id}`;

    // SSE: a reply streamed, then resumed.
    const sse = await openSse(`${base}/messages/stream`, {
      method: "POST",
      headers: bearer,
      body: JSON.stringify({ content: `${text} sse` }),
    });
    await sse.done;
    const replyId = sse.headers.get("x-reply-message-id");
    const resumed = await openSse(`${base}/messages/${replyId}/stream`, {
      headers: { ...bearer, "last-event-id": sse.events[0]?.id ?? "" },
    });
    await resumed.done;

    // WS with ?token=: a message, a reply, frames with ids.
    await using socket = openSocket(stack.wsUrl(created.session_id, token, 0, { since_seq: "0" }));
    await socket.next("ready");
    socket.send({ type: "message", content: `${text} ws`, client_msg_id: "c1" });
    await socket.next("stream_end", undefined, 10_000);
    socket.send({ type: "cancel", message_id: "msg_unknown" });
    socket.send({ type: "file", file_id: "file_unknown" });
    await socket.next("error", (f) => f.ref === "msg_unknown");

    // Upload, then download by signed URL (file and thumbnail) and by bearer.
    const upload = await uploadFile(stack, user, created.session_id, { data: makePng(16, 16), message: text });
    const signatures = [upload.body.file_url, upload.body.thumbnail_url].map(
      (url: string) => new URL(url, stack.apiUrl).searchParams.get("sig") ?? "",
    );
    for (const url of [upload.body.file_url, upload.body.thumbnail_url]) {
      expect((await fetch(`${stack.apiUrl}${url}`)).status).toBe(200);
    }
    expect((await fetch(`${stack.apiUrl}/files/${upload.body.file_id}`, { headers: bearer })).status).toBe(200);

    // Failed auth everywhere: a forged and an expired token, a tampered signed URL.
    for (const bad of [forged, expired]) {
      const response = await fetch(`${stack.apiUrl}/api/chat/sessions`, {
        headers: { authorization: `Bearer ${bad}` },
      });
      expect(response.status).toBe(401);
      await using refused = openSocket(stack.wsUrl(created.session_id, bad));
      await refused.closed;
      // The same in Sec-WebSocket-Protocol, the SDK's way.
      await using refusedByHeader = openSocket(`${stack.edges[0]?.url}/ws/${created.session_id}`, {
        protocols: wsProtocols(bad),
      });
      await refusedByHeader.closed;
    }
    {
      await using byHeader = openSocket(`${stack.edges[0]?.url}/ws/${created.session_id}`, {
        protocols: wsProtocols(token),
      });
      await byHeader.next("ready");
    }
    const tampered = upload.body.file_url.replace(/sig=.{4}/, "sig=AAAA");
    expect((await fetch(`${stack.apiUrl}${tampered}`)).status).toBe(403);
    await socket.close();
    const gatewayLog = nginxAvailable
      ? await throughGateway(stack, created.session_id, token, forged, upload.body.file_url)
      : [];
    await stack.close(); // flushes the last lines (disconnects, worker stop)

    const secrets = [token, forged, expired, ...signatures].flatMap((s) => [s, s.split(".")[2] ?? s]);
    const gatewayLeaks = gatewayLog.filter((line) => secrets.some((s) => s && line.includes(s)));
    expect(gatewayLeaks).toEqual([]);
    const leaks = lines.filter((line) => secrets.some((s) => s && line.includes(s)) || line.includes(text));
    reportSuiteFigure({
      section: "authz",
      name: "tokens in logs",
      figures: { lines: lines.length, leaks: leaks.length },
    });
    expect(leaks).toEqual([]);
    // The capture saw real traffic: requests by route, the socket, the reply.
    const messages = lines.map((line) => JSON.parse(line) as { msg?: string; route?: string; status?: number });
    expect(messages.filter((m) => m.msg === "request").length).toBeGreaterThan(5);
    expect(messages.some((m) => m.msg === "request" && m.status === 401)).toBe(true);
    // Requests are logged (and measured) by route pattern: no id becomes a label.
    const routes = new Set(messages.filter((m) => m.msg === "request").map((m) => m.route));
    for (const route of routes) expect(route).not.toMatch(/sess_|msg_|file_/);
    expect(routes).toContain("/api/chat/sessions/:sessionId/messages/:messageId/stream");
    expect(messages.some((m) => m.msg === "connected")).toBe(true);
  });
});
