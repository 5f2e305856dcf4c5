import { writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAgentRegistry } from "@chat/core";
import { describe, expect, it } from "vitest";
import { FAKE_REPLY, openSocket, startFakeOpenAi, startStack } from "../src";

/** Agents 2.. on the fake OpenAI server (one per behaviour) and one on a closed port. */
async function agentsFile(baseUrl: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "agents-"));
  const path = join(dir, "agents.json");
  const models = ["echo", "slow", "http-500", "malformed", "stall"];
  const agents = models.map((model, i) => ({
    id: i + 2,
    name: `fake ${model}`,
    backend: "openai",
    base_url: baseUrl,
    model,
    api_key_env: "FAKE_KEY",
  }));
  agents.push({
    id: 9,
    name: "nowhere",
    backend: "openai",
    base_url: "http://127.0.0.1:9/v1",
    model: "x",
    api_key_env: "FAKE_KEY",
  });
  writeFileSync(path, JSON.stringify(agents));
  return path;
}

const AGENT = { echo: 2, slow: 3, http500: 4, malformed: 5, stall: 6, unreachable: 9 } as const;

async function setup() {
  const fake = await startFakeOpenAi({ intervalMs: 2 });
  const stack = await startStack({
    agents: createAgentRegistry({ AGENTS_FILE: await agentsFile(fake.url) }),
    workerOptions: { timeouts: { connectMs: 2_000, firstTokenMs: 300, idleMs: 2_000 } },
  });
  return {
    fake,
    stack,
    async session(agentId: number) {
      const created = await stack.request("alice", "POST", "/api/chat/sessions", { agent_id: agentId });
      expect(created.status).toBe(201);
      const sessionId: string = created.body.session_id;
      const socket = openSocket(stack.wsUrl(sessionId, await stack.token("alice")));
      await socket.next("ready");
      return { sessionId, socket };
    },
    async [Symbol.asyncDispose]() {
      await stack.close();
      await fake.close();
    },
  };
}

describe("openai-compatible agents", { timeout: 60_000 }, () => {
  it("streams the model's reply with history, usage and the trace id", async () => {
    await using env = await setup();
    const { sessionId, socket } = await env.session(AGENT.echo);
    await using _socket = socket;
    socket.send({ type: "message", content: "first" });
    const end1 = await socket.next("stream_end");
    expect(end1.finish_reason).toBe("stop");
    socket.send({ type: "message", content: "second" });
    const end = await socket.next("stream_end", (f) => f.message_id !== end1.message_id);
    expect(end).toMatchObject({ finish_reason: "stop", tokens_used: expect.any(Number) });
    const chunks = socket.frames.filter((f) => f.type === "stream_chunk" && f.message_id === end.message_id);
    expect(chunks.map((c) => (c.type === "stream_chunk" ? c.index : -1))).toEqual(chunks.map((_, i) => i));
    expect(chunks.map((c) => (c.type === "stream_chunk" ? c.content : "")).join("")).toBe(FAKE_REPLY);

    const second = env.fake.requests[1];
    expect(second?.body.stream).toBe(true);
    expect(second?.body.stream_options).toEqual({ include_usage: true });
    expect(second?.body.messages).toEqual([
      { role: "user", content: "first" },
      { role: "assistant", content: FAKE_REPLY },
      { role: "user", content: "second" },
    ]);
    const stored = await env.stack.repo.getMessage(end.message_id);
    expect(stored).toMatchObject({ status: "complete", content: FAKE_REPLY, tokensUsed: end.tokens_used });
    const session = await env.stack.repo.getSession(sessionId);
    if (session?.traceId) expect(second?.headers["x-trace-id"]).toBe(session.traceId);
  });

  it("cancel mid-stream closes the upstream connection and keeps the partial text", async () => {
    await using env = await setup();
    const { sessionId, socket } = await env.session(AGENT.slow);
    await using _socket = socket;
    socket.send({ type: "message", content: "go" });
    const start = await socket.next("stream_start");
    await socket.next("stream_chunk", (f) => f.message_id === start.message_id && f.index >= 2);
    const disconnected = env.fake.nextDisconnect();
    const cancel = await env.stack.request(
      "alice",
      "POST",
      `/api/chat/sessions/${sessionId}/messages/${start.message_id}/cancel`,
    );
    expect(cancel.status).toBe(202);
    await disconnected;
    expect(env.fake.disconnects).toBe(1);
    const end = await socket.next("stream_end", (f) => f.message_id === start.message_id);
    expect(end.finish_reason).toBe("cancelled");
    const stored = await env.stack.repo.getMessage(start.message_id);
    expect(stored?.status).toBe("cancelled");
    expect(stored?.content).toMatch(/^t0 t1 /);
    const streamed = socket.frames
      .filter((f) => f.type === "stream_chunk" && f.message_id === start.message_id)
      .map((f) => (f.type === "stream_chunk" ? f.content : ""))
      .join("");
    expect(stored?.content).toBe(streamed);
  });

  it.each([
    ["an HTTP error", AGENT.http500, "AGENT_ERROR"],
    ["a malformed stream", AGENT.malformed, "AGENT_ERROR"],
    ["a stalled model", AGENT.stall, "AGENT_TIMEOUT"],
    ["an unreachable endpoint", AGENT.unreachable, "AGENT_UNAVAILABLE"],
  ] as const)("%s ends the reply with an error frame and finish_reason error", async (_name, agentId, code) => {
    await using env = await setup();
    const { socket } = await env.session(agentId);
    await using _socket = socket;
    socket.send({ type: "message", content: "hi" });
    const start = await socket.next("stream_start");
    const error = await socket.next("error", (f) => f.ref === start.message_id);
    expect(error.code).toBe(code);
    const end = await socket.next("stream_end", (f) => f.message_id === start.message_id);
    expect(end.finish_reason).toBe("error");
    const stored = await env.stack.repo.getMessage(start.message_id);
    expect(stored?.status).toBe("error");
    if (agentId === AGENT.malformed) expect(stored?.content).toBe("partial ");
    if (agentId === AGENT.stall) expect(env.fake.disconnects).toBe(1);
    // The worker keeps serving: the next reply in the same stack works.
    const ok = await env.session(AGENT.echo);
    await using _ok = ok.socket;
    ok.socket.send({ type: "message", content: "again" });
    expect((await ok.socket.next("stream_end")).finish_reason).toBe("stop");
  });
});
