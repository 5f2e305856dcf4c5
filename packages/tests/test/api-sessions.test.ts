import { describe, expect, it } from "vitest";
import { startStack } from "../src";

describe("REST: sessions", () => {
  it("creates a session with the spec's 201 body", async () => {
    await using stack = await startStack({ worker: false });
    const res = await stack.request("syngha.han", "POST", "/api/chat/sessions", {
      agent_id: 1,
      title: "Customer Support Chat",
      metadata: { purpose: "product_inquiry", priority: "high" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      session_id: expect.stringMatching(/^sess_/),
      trace_id: expect.any(String),
      user_id: "syngha.han",
      agent_id: 1,
      title: "Customer Support Chat",
      status: "active",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it("lists the caller's sessions with last message, unread count and agent name", async () => {
    await using stack = await startStack({ worker: false });
    const a = await stack.request("alice", "POST", "/api/chat/sessions", { agent_id: 1, title: "A" });
    await stack.request("alice", "POST", "/api/chat/sessions", { title: "B" });
    await stack.request("bob", "POST", "/api/chat/sessions", { title: "not alice's" });
    await stack.repo.addParticipant(a.body.session_id, "bob", "member");
    await stack.request("bob", "POST", `/api/chat/sessions/${a.body.session_id}/messages`, {
      content: "도움이 필요하시면 말씀해주세요.",
    });

    const res = await stack.request("alice", "GET", "/api/chat/sessions?limit=1");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 2, has_more: true });
    expect(res.body.sessions).toEqual([
      {
        session_id: a.body.session_id,
        title: "A",
        agent_id: 1,
        agent_name: "Demo Agent",
        last_message: "도움이 필요하시면 말씀해주세요.",
        last_message_at: expect.any(String),
        unread_count: 1,
        status: "active",
        created_at: expect.any(String),
      },
    ]);
    const filtered = await stack.request("alice", "GET", "/api/chat/sessions?agent_id=1&status=active");
    expect(filtered.body.sessions.map((s: { title: string }) => s.title)).toEqual(["A"]);
  });

  it("returns the spec's detail body to participants and 404 to everyone else", async () => {
    await using stack = await startStack({ worker: false });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", {
      agent_id: 1,
      metadata: { purpose: "x" },
    });
    const detail = await stack.request("alice", "GET", `/api/chat/sessions/${body.session_id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      session_id: body.session_id,
      agent: { id: 1, name: "Demo Agent", avatar_url: null },
      participants: ["alice"],
      metadata: { purpose: "x" },
      message_count: 0,
      last_activity: expect.any(String),
    });
    for (const path of [`/api/chat/sessions/${body.session_id}`, `/api/chat/sessions/${body.session_id}/messages`]) {
      const res = await stack.request("mallory", "GET", path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("SESSION_NOT_FOUND");
    }
    expect((await stack.request("alice", "GET", "/api/chat/sessions/sess_nope")).status).toBe(404);
  });

  it("rejects a bad body with 400 naming the field, and an unknown agent", async () => {
    await using stack = await startStack({ worker: false });
    const bad = await stack.request("alice", "POST", "/api/chat/sessions", { agent_id: "one", title: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VALIDATION_ERROR");
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["agent_id", "title"]);
    const json = await stack.request("alice", "POST", "/api/chat/sessions", "{oops");
    expect(json).toMatchObject({ status: 400, body: { error: { code: "INVALID_JSON" } } });
    const agent = await stack.request("alice", "POST", "/api/chat/sessions", { agent_id: 999 });
    expect(agent.body.error.details).toEqual([{ path: "agent_id", message: "no such agent" }]);
  });

  it("answers 401 without a valid token", async () => {
    await using stack = await startStack({ worker: false });
    const missing = await fetch(`${stack.apiUrl}/api/chat/sessions`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: { code: "UNAUTHORIZED", message: "Missing token" } });
    const bad = await fetch(`${stack.apiUrl}/api/chat/sessions`, { headers: { authorization: "Bearer x.y.z" } });
    expect(bad.status).toBe(401);
  });
});
