import { CloseCode } from "@chat/protocol";
import { describe, expect, it } from "vitest";
import { openSocket, startStack, uploadFile } from "../src";

describe("message rate limit", () => {
  it("refuses messages past the per-user limit across edges with RATE_LIMIT and keeps the connection", async () => {
    await using stack = await startStack({ edges: 2, worker: false, edgeOptions: { messagesPerMinute: 3 } });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const token = await stack.token("alice");
    await using one = openSocket(stack.wsUrl(body.session_id, token, 0));
    await using two = openSocket(stack.wsUrl(body.session_id, token, 1));
    await Promise.all([one.next("ready"), two.next("ready")]);
    one.send({ type: "message", content: "1" });
    one.send({ type: "message", content: "2" });
    await one.next("message", (f) => f.seq === 2);
    two.send({ type: "message", content: "3" });
    await two.next("message", (f) => f.seq === 3);
    two.send({ type: "message", content: "4", client_msg_id: "over" });
    const refused = await two.next("error");
    expect(refused).toMatchObject({ code: "RATE_LIMIT", ref: "over" });
    expect(refused.retry_after).toBeGreaterThan(0);
    expect(refused.retry_after).toBeLessThanOrEqual(60_000);
    two.send({ type: "ping" });
    await two.next("pong");
    expect(await stack.repo.countMessages(body.session_id)).toBe(3);
  });

  it("counts REST posts, SSE, uploads and regenerate against the same per-user budget as WS frames", async () => {
    const limit = { messagesPerMinute: 3 };
    await using stack = await startStack({ worker: false, edgeOptions: limit, apiOptions: limit });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", { agent_id: 1 });
    const base = `/api/chat/sessions/${body.session_id}`;
    await using socket = openSocket(stack.wsUrl(body.session_id, await stack.token("alice")));
    await socket.next("ready");
    socket.send({ type: "message", content: "1" });
    await socket.next("message", (f) => f.content === "1");
    const posted = await stack.request("alice", "POST", `${base}/messages`, { content: "2" });
    expect(posted.status).toBe(201);
    expect((await stack.request("alice", "POST", `${base}/messages`, { content: "3" })).status).toBe(201);
    // The budget is spent, by whichever way in.
    const over = await Promise.all([
      stack.request("alice", "POST", `${base}/messages`, { content: "4" }),
      stack.request("alice", "POST", `${base}/messages/stream`, { content: "5" }),
      stack.request("alice", "POST", `${base}/messages/${posted.body.message_id}/regenerate`),
      uploadFile(stack, "alice", body.session_id, { data: "hello", type: "text/plain", name: "a.txt" }),
    ]);
    expect(over.map((r) => [r.status, r.body.error.code])).toEqual(Array(4).fill([429, "RATE_LIMIT"]));
    socket.send({ type: "message", content: "6", client_msg_id: "ws-over" });
    await expect(socket.next("error")).resolves.toMatchObject({ code: "RATE_LIMIT", ref: "ws-over" });
    // Reading is not limited, and another user has their own budget.
    expect((await stack.request("alice", "GET", `${base}/messages`)).status).toBe(200);
    expect((await stack.request("bob", "POST", "/api/chat/sessions", {})).status).toBe(201);
    expect(await stack.repo.countMessages(body.session_id)).toBe(3);
  });

  it("closes with 4429 a client that keeps sending past the limit", async () => {
    await using stack = await startStack({ worker: false, edgeOptions: { messagesPerMinute: 2 } });
    await using socket = openSocket(stack.wsUrl("flood", await stack.token("alice")));
    await socket.next("ready");
    for (let i = 0; i < 10; i++) socket.send({ type: "message", content: `m${i}` });
    await expect(socket.closed).resolves.toMatchObject({ code: CloseCode.TooMany });
    expect(socket.frames.filter((f) => f.type === "error" && f.code === "RATE_LIMIT").length).toBeGreaterThan(0);
  });

  it("closes with 4400 a client that keeps sending invalid frames", async () => {
    await using stack = await startStack({ worker: false, edgeOptions: { maxInvalidFramesPerMinute: 3 } });
    await using socket = openSocket(stack.wsUrl("garbage", await stack.token("alice")));
    await socket.next("ready");
    for (let i = 0; i < 5; i++) socket.send("{nope");
    await expect(socket.closed).resolves.toMatchObject({ code: CloseCode.BadRequest });
    expect(socket.frames.filter((f) => f.type === "error" && f.code === "INVALID_JSON")).toHaveLength(4);
  });

  it.each([
    ["an unknown file_id", { type: "file", file_id: "nope" }, "NOT_FOUND"],
    ["cancel of an unknown message", { type: "cancel", message_id: "nope" }, "NOT_FOUND"],
    ["a sync without since_seq", { type: "sync" }, "VALIDATION_ERROR"],
    ["a read with a negative seq", { type: "read", seq: -1 }, "VALIDATION_ERROR"],
    ["typing without is_typing", { type: "typing" }, "VALIDATION_ERROR"],
    ["a frame without a type", { content: "x" }, "BAD_REQUEST"],
  ])("answers %s with an error frame and keeps the connection", async (_name, frame, code) => {
    await using stack = await startStack({ worker: false });
    await using socket = openSocket(stack.wsUrl("bad-frames", await stack.token("alice")));
    await socket.next("ready");
    socket.send(frame);
    await expect(socket.next("error")).resolves.toMatchObject({ code });
    socket.send({ type: "ping" });
    await socket.next("pong");
  });

  it("closes an idle connection with 4408", async () => {
    await using stack = await startStack({
      worker: false,
      edgeOptions: { heartbeatIntervalMs: 50, idleTimeoutMs: 150 },
    });
    await using socket = openSocket(stack.wsUrl("idle", await stack.token("alice")));
    await socket.next("ready");
    await expect(socket.closed).resolves.toMatchObject({ code: CloseCode.IdleTimeout });
  });
});
