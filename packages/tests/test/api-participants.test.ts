import { describe, expect, it } from "vitest";
import { openSocket, uniqueUser, useStack } from "../src";

const stack = useStack({ worker: false });

async function session() {
  const owner = uniqueUser("owner");
  const { body } = await stack().request(owner, "POST", "/api/chat/sessions", { title: "team" });
  const path = `/api/chat/sessions/${body.session_id}`;
  return { owner, sessionId: body.session_id as string, path };
}

describe("REST: participants", () => {
  it("the owner adds a member (201), who can then read and write; everyone sees the list", async () => {
    const { owner, sessionId, path } = await session();
    const bob = uniqueUser("bob");
    expect((await stack().request(bob, "GET", path)).status).toBe(404);

    const added = await stack().request(owner, "POST", `${path}/participants`, { user_id: bob });
    expect(added).toMatchObject({
      status: 201,
      body: { session_id: sessionId, user_id: bob, role: "member", last_read_seq: 0, joined_at: expect.any(String) },
    });
    expect((await stack().request(bob, "POST", `${path}/messages`, { content: "합류했어요" })).status).toBe(201);
    const list = await stack().request(bob, "GET", `${path}/participants`);
    expect(list.body.participants.map((p: { user_id: string; role: string }) => [p.user_id, p.role])).toEqual([
      [owner, "owner"],
      [bob, "member"],
    ]);
    expect((await stack().request(owner, "GET", path)).body.participants).toEqual([owner, bob]);
  });

  it("409 adding someone twice; 403 when a member adds; 400 naming user_id; 404 for strangers", async () => {
    const { owner, path } = await session();
    const bob = uniqueUser("bob");
    await stack().request(owner, "POST", `${path}/participants`, { user_id: bob });
    expect(await stack().request(owner, "POST", `${path}/participants`, { user_id: bob })).toMatchObject({
      status: 409,
      body: { error: { code: "CONFLICT" } },
    });
    expect(await stack().request(owner, "POST", `${path}/participants`, { user_id: owner })).toMatchObject({
      status: 409,
    });
    expect((await stack().request(bob, "POST", `${path}/participants`, { user_id: uniqueUser("carol") })).status).toBe(
      403,
    );
    const bad = await stack().request(owner, "POST", `${path}/participants`, { user_id: "" });
    expect(bad).toMatchObject({ status: 400, body: { error: { details: [{ path: "user_id" }] } } });
    const role = await stack().request(owner, "POST", `${path}/participants`, { user_id: "x", role: "owner" });
    expect(role.body.error.details[0].path).toBe("role");
    const stranger = uniqueUser("mallory");
    expect((await stack().request(stranger, "POST", `${path}/participants`, { user_id: stranger })).status).toBe(404);
    expect((await stack().request(stranger, "GET", `${path}/participants`)).status).toBe(404);
  });

  it("the owner removes a member; a member leaves; the owner cannot leave (409); others cannot remove (403)", async () => {
    const { owner, path } = await session();
    const [bob, carol] = [uniqueUser("bob"), uniqueUser("carol")];
    for (const user of [bob, carol]) await stack().request(owner, "POST", `${path}/participants`, { user_id: user });

    expect((await stack().request(bob, "DELETE", `${path}/participants/${carol}`)).status).toBe(403);
    expect(await stack().request(owner, "DELETE", `${path}/participants/${owner}`)).toMatchObject({
      status: 409,
      body: { error: { code: "CONFLICT" } },
    });
    expect(await stack().request(bob, "DELETE", `${path}/participants/${bob}`)).toMatchObject({
      status: 200,
      body: { message: "Left the session", user_id: bob },
    });
    expect(await stack().request(owner, "DELETE", `${path}/participants/${carol}`)).toMatchObject({
      status: 200,
      body: { message: "Participant removed", user_id: carol },
    });
    expect(await stack().request(owner, "DELETE", `${path}/participants/${carol}`)).toMatchObject({
      status: 404,
      body: { error: { code: "NOT_FOUND" } },
    });
  });

  it("a removed member gets 404 on every route of the session", async () => {
    const { owner, sessionId, path } = await session();
    const bob = uniqueUser("bob");
    await stack().request(owner, "POST", `${path}/participants`, { user_id: bob });
    const { body: posted } = await stack().request(bob, "POST", `${path}/messages`, { content: "곧 나갑니다" });
    await stack().request(owner, "DELETE", `${path}/participants/${bob}`);

    const routes: [string, string, unknown?][] = [
      ["GET", path],
      ["PATCH", path, { title: "x" }],
      ["DELETE", path],
      ["POST", `${path}/restore`],
      ["GET", `${path}/messages`],
      ["POST", `${path}/messages`, { content: "x" }],
      ["PATCH", `${path}/messages/${posted.message_id}`, { content: "x" }],
      ["GET", `${path}/participants`],
      ["POST", `${path}/participants`, { user_id: bob }],
      ["DELETE", `${path}/participants/${owner}`],
      ["POST", `${path}/read`, { seq: 1 }],
      ["GET", `/api/chat/search?q=${encodeURIComponent("나갑니다")}&session_id=${sessionId}`],
    ];
    for (const [method, route, body] of routes) {
      const res = await stack().request(bob, method, route, body);
      expect([method, route, res.status, res.body.error.code]).toEqual([method, route, 404, "SESSION_NOT_FOUND"]);
    }
    const search = await stack().request(bob, "GET", `/api/chat/search?q=${encodeURIComponent("나갑니다")}`);
    expect(search.body.results).toEqual([]);
  });

  it("connected clients hear a session_updated system event when participants change", async () => {
    const { owner, sessionId, path } = await session();
    await using socket = openSocket(stack().wsUrl(sessionId, await stack().token(owner)));
    await socket.next("ready");
    await stack().request(owner, "POST", `${path}/participants`, { user_id: uniqueUser("bob") });
    await expect(socket.next("system", (f) => f.event === "session_updated")).resolves.toMatchObject({
      session_id: sessionId,
      user_id: owner,
    });
  });
});
