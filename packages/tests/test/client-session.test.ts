import { createServer } from "node:http";
import { type AddressInfo, connect as dial } from "node:net";
import { ChatApi, ChatSession, type MessageFrame, type SessionOptions, type TypingFrame } from "@chat/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { type RestartableEdge, startRestartableEdge, startStack, type TestStack } from "../src";

// The SDK against the real service: replies, terminal close codes, typing, the REST calls.
let stack: TestStack;
let edge: RestartableEdge;

beforeAll(async () => {
  stack = await startStack({ edges: 0, chunkSize: 4, delayMs: 15 });
  edge = await startRestartableEdge(stack);
});
afterAll(async () => {
  await edge?.close();
  await stack?.close();
});

const waitFor = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const connect = (options: Partial<SessionOptions> & { sessionId: string }) =>
  new ChatSession({
    url: edge.url,
    token: () => stack.token("alice"),
    WebSocket,
    backoff: { initialMs: 20, maxMs: 100 },
    ...options,
  });

it("assembles an agent reply, across a cut mid-stream, ending with the stored text", async () => {
  const { session_id: sessionId } = (await stack.request("alice", "POST", "/api/chat/sessions", { agent_id: 1 })).body;
  const session = connect({ sessionId, sinceSeq: 0 });
  const messages: MessageFrame[] = [];
  const growth: string[] = [];
  session.on("message", (frame) => messages.push(frame));
  session.on("reply", (reply) => growth.push(reply.text));
  await waitFor(() => session.state === "open");
  const sent = await session.send("tell me something");
  expect(sent.client_msg_id).toBeTruthy();

  let cut = false;
  session.on("stream_chunk", (frame) => {
    if (frame.index === 2 && !cut) {
      cut = true;
      edge.cut();
    }
  });
  await waitFor(() => messages.some((m) => m.sender_type === "agent" && m.status === "complete"));
  const [row] = (await stack.repo.messagesSince(sessionId, 0, 100)).filter((m) => m.senderType === "agent");
  const reply = session.replies.get(row?.messageId ?? "");
  expect(cut).toBe(true);
  expect(reply).toMatchObject({ status: "complete", text: row?.content });
  expect(growth.filter((text) => text.length > 0 && text.length < (row?.content?.length ?? 0)).length).toBeGreaterThan(
    0,
  );
  // Each persisted event once, in order: the user message, then the finished reply.
  const eventSeqs = messages.map((m) => m.event_seq);
  expect(eventSeqs).toEqual([...new Set(eventSeqs)].sort((a, b) => a - b));
  expect(messages.filter((m) => m.message_id === sent.message_id)).toHaveLength(1);
  expect(messages.filter((m) => m.message_id === row?.messageId && m.status === "complete")).toHaveLength(1);
  session.close();
});

it("gets the final text of a reply that started before it connected", async () => {
  const api = new ChatApi({ url: stack.apiUrl, token: () => stack.token("alice") });
  const { session_id: sessionId } = await api.createSession({ agent_id: 1 });
  await api.postMessage(sessionId, { content: "a question asked over REST" });
  let streaming: { seq: number; messageId: string } | undefined;
  await waitFor(() => {
    void stack.repo.messagesSince(sessionId, 0, 10).then((rows) => {
      const row = rows.find((m) => m.senderType === "agent" && m.status === "streaming");
      if (row) streaming ??= { seq: row.seq, messageId: row.messageId };
    });
    return streaming !== undefined;
  });
  // Connect after the reply started, from its seq: the start is behind us, chunks and end are live.
  const session = connect({ sessionId, sinceSeq: streaming?.seq ?? 0 });
  const finals: MessageFrame[] = [];
  session.on("message", (frame) => {
    if (frame.message_id === streaming?.messageId && frame.status !== "streaming") finals.push(frame);
  });
  await waitFor(() => finals.length > 0);
  const stored = (await stack.repo.messagesSince(sessionId, 0, 10)).find((m) => m.messageId === streaming?.messageId);
  expect(finals).toHaveLength(1);
  expect(finals[0]?.content).toBe(stored?.content);
  expect(session.replies.get(streaming?.messageId ?? "")?.text).toBe(stored?.content);
  session.close();
});

it("stops for good after 4401 and fails pending sends", async () => {
  const session = connect({ sessionId: "s-unauthorized", token: "not-a-jwt" });
  const states: string[] = [];
  session.on("state", ({ state, code }) => states.push(`${state}:${code ?? ""}`));
  const pending = session.send("never");
  await expect(pending).rejects.toMatchObject({ code: "CLOSED_4401" });
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(states).toEqual(["closed:4401"]);
});

it("sends one typing start for many keystrokes and stops by itself", async () => {
  const { session_id: sessionId } = (await stack.request("alice", "POST", "/api/chat/sessions", {})).body;
  await stack.repo.addParticipant(sessionId, "bob", "member");
  const alice = connect({ sessionId, typing: { throttleMs: 10_000, idleMs: 150 } });
  const bob = connect({ sessionId, token: () => stack.token("bob") });
  const seen: TypingFrame[] = [];
  const ownSeen: TypingFrame[] = [];
  bob.on("typing", (frame) => seen.push(frame));
  alice.on("typing", (frame) => ownSeen.push(frame));
  await waitFor(() => alice.state === "open" && bob.state === "open");
  for (let i = 0; i < 10; i++) {
    alice.typing();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await waitFor(() => seen.length >= 2);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(seen.map((frame) => [frame.user_id, frame.is_typing])).toEqual([
    ["alice", true],
    ["alice", false],
  ]);
  expect(ownSeen).toEqual([]); // your own typing is never reported back to you
  alice.close();
  bob.close();
});

it("makes the REST calls, and a retried post is stored once", async () => {
  const api = new ChatApi({ url: stack.apiUrl, token: () => stack.token("carol") });
  const created = await api.createSession({ title: "SDK" });
  const first = await api.postMessage(created.session_id, { content: "안녕하세요", client_msg_id: "retry-1" });
  const again = await api.postMessage(created.session_id, { content: "안녕하세요", client_msg_id: "retry-1" });
  expect(again.message_id).toBe(first.message_id);
  const page = await api.listMessages(created.session_id, { limit: 10 });
  expect(page.messages.map((m) => m.content)).toEqual(["안녕하세요"]);
  const list = await api.listSessions();
  expect(list.sessions.map((s) => s.session_id)).toContain(created.session_id);
  expect((await api.getSession(created.session_id)).title).toBe("SDK");
  await expect(api.getSession("missing")).rejects.toMatchObject({ status: 404, code: "SESSION_NOT_FOUND" });
});

it("covers the REST API: update, participants, edit, read, search, delete and restore", async () => {
  const api = new ChatApi({ url: stack.apiUrl, token: () => stack.token("dave") });
  const erin = new ChatApi({ url: stack.apiUrl, token: () => stack.token("erin") });
  const { session_id: id } = await api.createSession({ title: "before" });
  expect(await api.updateSession(id, { title: "after", status: "archived" })).toMatchObject({
    title: "after",
    status: "archived",
  });
  expect(await api.addParticipant(id, "erin")).toMatchObject({ user_id: "erin", role: "member" });
  const posted = await erin.postMessage(id, { content: "검색할 수 있는 메시지" });
  expect(await erin.editMessage(id, posted.message_id, "검색할 수 있는 메시지 (고침)")).toMatchObject({
    is_edited: true,
  });
  expect(await api.markRead(id, posted.seq)).toMatchObject({ last_read_seq: posted.seq });
  const found = await api.search({ q: "검색할", session_id: id });
  expect(found.results.map((hit) => hit.message_id)).toEqual([posted.message_id]);
  await erin.removeParticipant(id, "erin"); // a member leaves
  await expect(erin.getSession(id)).rejects.toMatchObject({ status: 404 });
  await api.deleteSession(id);
  await expect(api.getSession(id)).rejects.toMatchObject({ status: 404 });
  expect(await api.restoreSession(id)).toMatchObject({ session_id: id });
});

it("carries the token in Sec-WebSocket-Protocol by default, in ?token= when asked", async () => {
  const { session_id: sessionId } = (await stack.request("alice", "POST", "/api/chat/sessions", { agent_id: 1 })).body;
  const token = await stack.token("alice");
  const dialed: { url: string; protocols: string | string[] | undefined }[] = [];
  /** `ws`, recording what the SDK dials. */
  class Recording extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      dialed.push({ url, protocols });
    }
  }
  for (const tokenIn of [undefined, "query"] as const) {
    const session = connect({ sessionId, token, WebSocket: Recording, ...(tokenIn ? { tokenIn } : {}) });
    await waitFor(() => session.state === "open");
    session.close();
  }
  // A token a subprotocol cannot hold (a browser's WebSocket would throw) goes in the URL; this
  // one is not valid, so the session ends with 4401.
  const opaque = connect({ sessionId, token: "opaque/token=", WebSocket: Recording });
  await waitFor(() => opaque.state === "closed");
  const [byDefault, inQuery, notAJwt] = dialed;
  expect(byDefault?.url).not.toContain(token);
  expect(byDefault?.protocols).toEqual(["chat", `bearer.${token}`]);
  expect(inQuery?.url).toContain(`?token=${token}`);
  expect(inQuery?.protocols).toBeUndefined();
  expect(notAJwt?.url).toContain("?token=opaque%2Ftoken%3D");
  expect(notAJwt?.protocols).toBeUndefined();
});

it("falls back to ?token= at once when an edge older than the header answers 4401 Missing token", async () => {
  const { session_id: sessionId } = (await stack.request("alice", "POST", "/api/chat/sessions", { agent_id: 1 })).body;
  // An edge that does not read Sec-WebSocket-Protocol: the real edge, behind a shim that drops
  // the bearer.<jwt> entry from each upgrade request (and keeps "chat").
  const target = new URL(edge.url);
  const shim = createServer();
  shim.on("upgrade", (req, client, head) => {
    const offered = String(req.headers["sec-websocket-protocol"] ?? "");
    const kept = offered
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p && !p.startsWith("bearer."));
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] ?? "";
      if (name.toLowerCase() !== "sec-websocket-protocol") lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
    }
    if (kept.length > 0) lines.push(`Sec-WebSocket-Protocol: ${kept.join(", ")}`);
    const upstream = dial(Number(target.port), target.hostname, () => {
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => shim.listen(0, "127.0.0.1", resolve));
  const { port } = shim.address() as AddressInfo;
  const states: string[] = [];
  try {
    const session = connect({ sessionId, url: `http://127.0.0.1:${port}` });
    session.on("state", ({ state, code, reason }) => states.push([state, code, reason].filter(Boolean).join(" ")));
    await waitFor(() => session.state === "open");
    const stored = await session.send("through an old edge");
    expect(stored.content).toBe("through an old edge");
    session.close();
    // One 4401 from the old edge, then straight back with ?token= (no backoff), and no second try.
    expect(states).toEqual(["reconnecting 4401 Missing token", "open", "closed 1000"]);
  } finally {
    shim.closeAllConnections();
    await new Promise((resolve) => shim.close(resolve));
  }
});
