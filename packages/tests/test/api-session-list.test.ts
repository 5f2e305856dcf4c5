import { describe, expect, it } from "vitest";
import { uniqueUser, useStack } from "../src";

const stack = useStack({ worker: false });

describe("GET /api/chat/sessions: paging and filters", () => {
  it("pages with limit/offset without duplicates, newest activity first; total counts past the end", async () => {
    const user = uniqueUser("alice");
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      ids.push((await stack().request(user, "POST", "/api/chat/sessions", { title: `s${i}` })).body.session_id);
    }
    // Activity moves a session to the top.
    await stack().request(user, "POST", `/api/chat/sessions/${ids[0]}/messages`, { content: "bump" });
    const seen: string[] = [];
    for (let offset = 0; offset < 6; offset += 2) {
      const page = await stack().request(user, "GET", `/api/chat/sessions?limit=2&offset=${offset}`);
      expect(page.body.total).toBe(5);
      expect(page.body.has_more).toBe(offset + 2 < 5);
      seen.push(...page.body.sessions.map((s: { session_id: string }) => s.session_id));
    }
    expect(seen).toEqual([ids[0], ids[4], ids[3], ids[2], ids[1]]);
    const past = await stack().request(user, "GET", "/api/chat/sessions?limit=2&offset=10");
    expect(past.body).toEqual({ sessions: [], total: 5, has_more: false });
  });

  it("filters by status and agent_id, hides deleted sessions, and names agents (null without one)", async () => {
    const user = uniqueUser("alice");
    const withAgent = (await stack().request(user, "POST", "/api/chat/sessions", { agent_id: 1 })).body.session_id;
    const plain = (await stack().request(user, "POST", "/api/chat/sessions", {})).body.session_id;
    const archived = (await stack().request(user, "POST", "/api/chat/sessions", {})).body.session_id;
    const deleted = (await stack().request(user, "POST", "/api/chat/sessions", {})).body.session_id;
    await stack().request(user, "PATCH", `/api/chat/sessions/${archived}`, { status: "archived" });
    await stack().request(user, "DELETE", `/api/chat/sessions/${deleted}`);

    const list = async (query: string) =>
      (await stack().request(user, "GET", `/api/chat/sessions${query}`)).body.sessions.map(
        (s: { session_id: string; agent_name: string | null }) => [s.session_id, s.agent_name],
      );
    expect(await list("")).toEqual([
      [archived, null],
      [plain, null],
      [withAgent, "Demo Agent"],
    ]);
    expect(await list("?status=active")).toEqual([
      [plain, null],
      [withAgent, "Demo Agent"],
    ]);
    expect(await list("?status=archived")).toEqual([[archived, null]]);
    expect(await list("?agent_id=1")).toEqual([[withAgent, "Demo Agent"]]);
    expect(await list("?agent_id=2")).toEqual([]);
  });

  it("400 naming the parameter for bad filters and bounds", async () => {
    const user = uniqueUser("alice");
    for (const [query, field] of [
      ["status=deleted", "status"],
      ["status=x", "status"],
      ["agent_id=0", "agent_id"],
      ["agent_id=abc", "agent_id"],
      ["limit=0", "limit"],
      ["limit=101", "limit"],
      ["offset=-1", "offset"],
    ]) {
      const res = await stack().request(user, "GET", `/api/chat/sessions?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.details[0].path, query).toBe(field);
    }
  });
});
