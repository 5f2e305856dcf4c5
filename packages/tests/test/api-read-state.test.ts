import { describe, expect, it } from "vitest";
import { openSocket, uniqueUser, useStack } from "../src";

const stack = useStack({ worker: false });

describe("read state: POST /sessions/{id}/read and unread_count", () => {
  async function conversation() {
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const { body } = await stack().request(alice, "POST", "/api/chat/sessions", { title: "읽음 테스트" });
    const path = `/api/chat/sessions/${body.session_id}`;
    await stack().request(alice, "POST", `${path}/participants`, { user_id: bob });
    for (let i = 1; i <= 3; i++) await stack().request(alice, "POST", `${path}/messages`, { content: `alice ${i}` });
    for (let i = 1; i <= 2; i++) await stack().request(bob, "POST", `${path}/messages`, { content: `bob ${i}` });
    return { alice, bob, sessionId: body.session_id as string, path };
  }
  const unread = async (user: string) => (await stack().request(user, "GET", "/api/chat/sessions")).body.sessions[0];

  it("unread_count counts others' messages after the marker; the marker moves forward only, up to last_seq", async () => {
    const { alice, bob, sessionId, path } = await conversation();
    expect(await unread(bob)).toMatchObject({ unread_count: 3 });
    expect(await unread(alice)).toMatchObject({ unread_count: 2 });

    expect(await stack().request(bob, "POST", `${path}/read`, { seq: 2 })).toMatchObject({
      status: 200,
      body: { session_id: sessionId, last_read_seq: 2 },
    });
    expect(await unread(bob)).toMatchObject({ unread_count: 1 });
    // A stale marker (another tab) does not un-read.
    expect((await stack().request(bob, "POST", `${path}/read`, { seq: 1 })).body.last_read_seq).toBe(2);
    // Past the end is clamped to the last seq, so future messages stay unread.
    expect((await stack().request(alice, "POST", `${path}/read`, { seq: 999 })).body.last_read_seq).toBe(5);
    expect(await unread(alice)).toMatchObject({ unread_count: 0 });
    await stack().request(bob, "POST", `${path}/messages`, { content: "bob 3" });
    expect(await unread(alice)).toMatchObject({ unread_count: 1 });
  });

  it("the WebSocket read frame moves the same marker", async () => {
    const { bob, sessionId } = await conversation();
    await using socket = openSocket(stack().wsUrl(sessionId, await stack().token(bob)));
    await socket.next("ready");
    socket.send({ type: "read", seq: 3 });
    // The frame has no reply; poll the list until the marker shows.
    let count: number | undefined;
    for (let i = 0; i < 50 && count !== 0; i++) {
      count = (await unread(bob)).unread_count;
      if (count !== 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(count).toBe(0);
  });

  it("400 for a bad seq naming the field, 404 for strangers", async () => {
    const { alice, path } = await conversation();
    for (const body of [{}, { seq: -1 }, { seq: "3" }, { seq: 1.5 }]) {
      const res = await stack().request(alice, "POST", `${path}/read`, body);
      expect(res, JSON.stringify(body)).toMatchObject({ status: 400, body: { error: { details: [{ path: "seq" }] } } });
    }
    expect((await stack().request(uniqueUser("mallory"), "POST", `${path}/read`, { seq: 1 })).status).toBe(404);
  });
});
