import { describe, expect, it } from "vitest";
import { uniqueUser, useStack } from "../src";

const stack = useStack({ worker: false });

async function sessionWithMember() {
  const owner = uniqueUser("owner");
  const member = uniqueUser("member");
  const { body } = await stack().request(owner, "POST", "/api/chat/sessions", { title: "원래 제목" });
  await stack().request(owner, "POST", `/api/chat/sessions/${body.session_id}/participants`, { user_id: member });
  return { owner, member, sessionId: body.session_id as string, path: `/api/chat/sessions/${body.session_id}` };
}

describe("REST: PATCH /sessions/{id}", () => {
  it("any participant changes title and metadata; the owner archives and reactivates", async () => {
    const { owner, member, path } = await sessionWithMember();
    const titled = await stack().request(member, "PATCH", path, { title: "새 제목", metadata: { priority: "high" } });
    expect(titled.status).toBe(200);
    expect(titled.body).toMatchObject({
      title: "새 제목",
      metadata: { priority: "high" },
      status: "active",
      ended_at: null,
    });

    const archived = await stack().request(owner, "PATCH", path, { status: "archived" });
    expect(archived.body).toMatchObject({ status: "archived", title: "새 제목", ended_at: expect.any(String) });
    const listed = await stack().request(owner, "GET", "/api/chat/sessions?status=archived");
    expect(listed.body.sessions.map((s: { title: string }) => s.title)).toEqual(["새 제목"]);
    expect((await stack().request(owner, "GET", "/api/chat/sessions?status=active")).body.total).toBe(0);

    const active = await stack().request(owner, "PATCH", path, { status: "active" });
    expect(active.body).toMatchObject({ status: "active", ended_at: null });
    const cleared = await stack().request(owner, "PATCH", path, { title: null });
    expect(cleared.body.title).toBeNull();
  });

  it("only the owner changes the status (403); strangers get 404; bad bodies 400 naming the field", async () => {
    const { member, path } = await sessionWithMember();
    const forbidden = await stack().request(member, "PATCH", path, { status: "archived" });
    expect(forbidden).toMatchObject({ status: 403, body: { error: { code: "FORBIDDEN" } } });
    const stranger = await stack().request(uniqueUser("mallory"), "PATCH", path, { title: "x" });
    expect(stranger).toMatchObject({ status: 404, body: { error: { code: "SESSION_NOT_FOUND" } } });

    const empty = await stack().request(member, "PATCH", path, {});
    expect(empty.status).toBe(400);
    const status = await stack().request(member, "PATCH", path, { status: "deleted" });
    expect(status.body.error.details).toEqual([{ path: "status", message: expect.any(String) }]);
    const title = await stack().request(member, "PATCH", path, { title: "x".repeat(201) });
    expect(title.body.error.details[0].path).toBe("title");
  });
});

describe("REST: DELETE /sessions/{id} and restore", () => {
  it("soft-deletes: the spec's body, hidden from lists and every route, ended_at set; restore brings it back", async () => {
    const { owner, member, sessionId, path } = await sessionWithMember();
    await stack().request(owner, "POST", `${path}/messages`, { content: "안녕하세요" });

    const deleted = await stack().request(owner, "DELETE", path);
    expect(deleted).toMatchObject({
      status: 200,
      body: { message: "Session archived successfully", session_id: sessionId },
    });
    const row = await stack().repo.getSession(sessionId);
    expect(row).toMatchObject({ status: "deleted", endedAt: expect.any(Date) });
    for (const user of [owner, member]) {
      expect((await stack().request(user, "GET", "/api/chat/sessions")).body.total).toBe(0);
      expect((await stack().request(user, "GET", path)).status).toBe(404);
      expect((await stack().request(user, "GET", `${path}/messages`)).status).toBe(404);
    }
    expect((await stack().request(owner, "DELETE", path)).status).toBe(404);

    // A member may not restore; a stranger does not learn the session exists.
    expect((await stack().request(member, "POST", `${path}/restore`)).status).toBe(403);
    expect((await stack().request(uniqueUser("mallory"), "POST", `${path}/restore`)).status).toBe(404);

    const restored = await stack().request(owner, "POST", `${path}/restore`);
    expect(restored).toMatchObject({ status: 200, body: { session_id: sessionId, status: "active", ended_at: null } });
    expect((await stack().request(member, "GET", `${path}/messages`)).body.total).toBe(1);
    expect((await stack().request(owner, "GET", "/api/chat/sessions")).body.total).toBe(1);
  });

  it("409 restoring a session that is not deleted; 403 when a member deletes", async () => {
    const { owner, member, path } = await sessionWithMember();
    expect(await stack().request(owner, "POST", `${path}/restore`)).toMatchObject({
      status: 409,
      body: { error: { code: "CONFLICT" } },
    });
    expect((await stack().request(member, "DELETE", path)).status).toBe(403);
    expect((await stack().request(uniqueUser("mallory"), "DELETE", path)).status).toBe(404);
  });
});
