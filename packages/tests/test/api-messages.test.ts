import { describe, expect, it } from "vitest";
import { openSocket, startStack } from "../src";

describe("REST: messages", () => {
  it("posts a message (201), fans it out to WS clients, and pages history by seq", async () => {
    await using stack = await startStack({ worker: false });
    const { body: session } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const base = `/api/chat/sessions/${session.session_id}/messages`;
    await using socket = openSocket(stack.wsUrl(session.session_id, await stack.token("alice")));
    await socket.next("ready");

    const posted = await stack.request("alice", "POST", base, {
      content: "제품 교환 문의입니다.",
      message_type: "text",
    });
    expect(posted.status).toBe(201);
    expect(posted.body).toEqual({
      message_id: expect.stringMatching(/^msg_/),
      status: "sent",
      seq: 1,
      created_at: expect.any(String),
    });
    await expect(socket.next("message")).resolves.toMatchObject({ message_id: posted.body.message_id, seq: 1 });

    for (let i = 2; i <= 7; i++) await stack.request("alice", "POST", base, { content: `m${i}` });
    const newest = await stack.request("alice", "GET", `${base}?limit=3`);
    expect(newest.body.messages.map((m: { seq: number }) => m.seq)).toEqual([5, 6, 7]);
    expect(newest.body).toMatchObject({ has_more: true, total: 7 });
    const older = await stack.request("alice", "GET", `${base}?limit=3&before=5`);
    expect(older.body.messages.map((m: { seq: number }) => m.seq)).toEqual([2, 3, 4]);
    const oldest = await stack.request("alice", "GET", `${base}?limit=3&before=2`);
    expect(oldest.body).toMatchObject({ has_more: false, messages: [{ seq: 1 }] });
    const after = await stack.request("alice", "GET", `${base}?limit=4&after=4`);
    expect(after.body.messages.map((m: { seq: number }) => m.seq)).toEqual([5, 6, 7]);
    expect(after.body.has_more).toBe(false);
  });

  it("makes a retry with the same client_msg_id idempotent", async () => {
    await using stack = await startStack({ worker: false });
    const { body: session } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const base = `/api/chat/sessions/${session.session_id}/messages`;
    const first = await stack.request("alice", "POST", base, { content: "hi", client_msg_id: "retry-1" });
    const again = await stack.request("alice", "POST", base, { content: "hi", client_msg_id: "retry-1" });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.message_id).toBe(first.body.message_id);
    expect((await stack.request("alice", "GET", base)).body.total).toBe(1);
  });

  it("rejects bad message bodies and bad paging parameters with 400", async () => {
    await using stack = await startStack({ worker: false });
    const { body: session } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const base = `/api/chat/sessions/${session.session_id}/messages`;
    const empty = await stack.request("alice", "POST", base, { content: "  " });
    expect(empty.body.error).toMatchObject({ code: "VALIDATION_ERROR", details: [{ path: "content" }] });
    for (const query of ["limit=0", "limit=201", "before=abc", "before=1&after=2"]) {
      const res = await stack.request("alice", "GET", `${base}?${query}`);
      expect(res.status, query).toBe(400);
    }
  });
});
