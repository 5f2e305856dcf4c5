import { CloseCode } from "@chat/protocol";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { openSocket, reportSuiteFigure, startStack, TEST_SECRET } from "../src";

describe("bad input on the WebSocket", () => {
  it("answers a malformed frame with an error frame and keeps the connection", async () => {
    await using stack = await startStack({ worker: false });
    await using socket = openSocket(stack.wsUrl("errors", await stack.token("alice")));
    await socket.next("ready");
    socket.send("{not json");
    await expect(socket.next("error")).resolves.toMatchObject({ code: "INVALID_JSON" });
    socket.send({ type: "message", content: 42 });
    await expect(socket.next("error", (f) => f.code === "VALIDATION_ERROR")).resolves.toMatchObject({
      details: [{ path: "content" }],
    });
    socket.send({ type: "dance" });
    await expect(socket.next("error", (f) => f.code === "UNKNOWN_TYPE")).resolves.toMatchObject({
      message: expect.stringContaining("dance"),
    });
    socket.send({ type: "message", content: "still here" });
    await expect(socket.next("message")).resolves.toMatchObject({ content: "still here" });
  });

  it.each([
    ["missing", async () => ""],
    ["garbage", async () => "not-a-jwt"],
    [
      "wrong secret",
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: "HS256" })
          .setSubject("x")
          .setExpirationTime("1h")
          .sign(new TextEncoder().encode("other")),
    ],
    [
      "expired",
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: "HS256" })
          .setSubject("x")
          .setExpirationTime(Math.floor(Date.now() / 1_000) - 60)
          .sign(new TextEncoder().encode(TEST_SECRET)),
    ],
    [
      "without exp",
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: "HS256" })
          .setSubject("x")
          .sign(new TextEncoder().encode(TEST_SECRET)),
    ],
  ])("closes with 4401 for a %s token", async (_name, makeToken) => {
    await using stack = await startStack({ worker: false });
    await using socket = openSocket(stack.wsUrl("auth", await makeToken()));
    await expect(socket.closed).resolves.toMatchObject({ code: CloseCode.Unauthorized });
  });

  it("closes with 4401 when the token expires while connected", async () => {
    await using stack = await startStack({ worker: false });
    await using socket = openSocket(stack.wsUrl("expiring", await stack.token("alice", "3s")));
    await socket.next("ready");
    await expect(socket.closed).resolves.toMatchObject({ code: CloseCode.Unauthorized, reason: "Token expired" });
  });

  it("closes with 4404 for a session the caller is not in", async () => {
    await using stack = await startStack({ worker: false });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    await using socket = openSocket(stack.wsUrl(body.session_id, await stack.token("mallory")));
    await expect(socket.closed).resolves.toMatchObject({ code: CloseCode.NotFound });
  });

  it("refuses an upgrade from a foreign Origin, and CORS does not grant it either", async () => {
    await using stack = await startStack({ worker: false });
    const token = await stack.token("alice");
    const host = new URL(stack.edges[0]?.url ?? "").host;
    // The stack allows http://localhost:9060; look-alikes of it must not pass.
    const foreign = [
      "https://evil.example",
      "null",
      "http://localhost:9060.evil.com",
      "http://evil-localhost:9060",
      "http://localhost:90600",
      "https://localhost:9060",
      "http://localhost:9060@evil.com",
      `http://${host}.evil.com`,
      "not a url",
    ];
    const outcomes = await Promise.all(
      foreign.map(async (origin) => {
        await using socket = openSocket(stack.wsUrl("origin", token), { origin });
        const { code } = await socket.closed;
        const cors = await fetch(`${stack.apiUrl}/api/chat/sessions`, {
          method: "OPTIONS",
          headers: {
            origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization",
          },
        });
        return { origin, code, frames: socket.frames.length, cors: cors.headers.get("access-control-allow-origin") };
      }),
    );
    expect(outcomes).toEqual(foreign.map((origin) => ({ origin, code: 1006, frames: 0, cors: null })));
    reportSuiteFigure({
      section: "authz",
      name: "cross-site WS upgrades and CORS preflights",
      figures: { cases: foreign.length * 2, passed: foreign.length * 2, leaks: 0 },
    });
    // Controls: the allowed origin and the edge's own origin get in.
    for (const origin of ["http://localhost:9060", `http://${host}`]) {
      await using socket = openSocket(stack.wsUrl("origin", token), { origin });
      await expect(socket.next("ready")).resolves.toMatchObject({ type: "ready" });
    }
  });

  it("closes a frame over the size limit with 1009", async () => {
    await using stack = await startStack({ worker: false, edgeOptions: { maxPayload: 1_024 } });
    await using socket = openSocket(stack.wsUrl("big", await stack.token("alice")));
    await socket.next("ready");
    socket.send({ type: "message", content: "x".repeat(2_000) });
    await expect(socket.closed).resolves.toMatchObject({ code: CloseCode.MessageTooBig });
  });

  it("closes with 4429 past the connection limit", async () => {
    await using stack = await startStack({ worker: false, edgeOptions: { maxConnections: 1 } });
    const token = await stack.token("alice");
    await using first = openSocket(stack.wsUrl("limit", token));
    await first.next("ready");
    await using second = openSocket(stack.wsUrl("limit", token));
    await expect(second.closed).resolves.toMatchObject({ code: CloseCode.TooMany });
  });
});
