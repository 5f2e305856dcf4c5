import { describe, expect, it } from "vitest";
import { openSocket, uniqueUser, useStack } from "../src";

const stack = useStack({ worker: false });

async function sessionWith(...members: string[]) {
  const owner = uniqueUser("owner");
  const { body } = await stack().request(owner, "POST", "/api/chat/sessions", {});
  const path = `/api/chat/sessions/${body.session_id}`;
  for (const user of members) await stack().request(owner, "POST", `${path}/participants`, { user_id: user });
  return { owner, sessionId: body.session_id as string, path };
}

describe("REST: PATCH /sessions/{id}/messages/{message_id}", () => {
  it("edits your own text message: is_edited, edited_at, a new event_seq that live and recovering clients get", async () => {
    const { owner, sessionId, path } = await sessionWith();
    const { body: posted } = await stack().request(owner, "POST", `${path}/messages`, {
      content: "오타가 있는 메시지",
    });
    const token = await stack().token(owner);
    await using live = openSocket(stack().wsUrl(sessionId, token));
    await live.next("ready");

    const edited = await stack().request(owner, "PATCH", `${path}/messages/${posted.message_id}`, {
      content: "고친 메시지",
    });
    expect(edited).toMatchObject({
      status: 200,
      body: {
        message_id: posted.message_id,
        seq: 1,
        content: "고친 메시지",
        is_edited: true,
        edited_at: expect.any(String),
      },
    });
    const frame = await live.next("message", (f) => f.message_id === posted.message_id);
    expect(frame).toMatchObject({ seq: 1, event_seq: 2, content: "고친 메시지", is_edited: true });

    // A client that was away since seq 1 gets the edit on recovery.
    await using later = openSocket(stack().wsUrl(sessionId, token, 0, { since_seq: "1" }));
    await expect(later.next("message", (f) => f.message_id === posted.message_id)).resolves.toMatchObject({
      event_seq: 2,
      content: "고친 메시지",
    });
    const history = await stack().request(owner, "GET", `${path}/messages`);
    expect(history.body).toMatchObject({ total: 1, messages: [{ content: "고친 메시지", is_edited: true }] });
  });

  it("403 for someone else's message, 404 for unknown or foreign messages and for strangers, 400 bad body", async () => {
    const bob = uniqueUser("bob");
    const { owner, path } = await sessionWith(bob);
    const { body: mine } = await stack().request(owner, "POST", `${path}/messages`, { content: "owner's" });
    const other = await sessionWith();
    const { body: foreign } = await stack().request(other.owner, "POST", `${other.path}/messages`, { content: "x" });

    expect(
      await stack().request(bob, "PATCH", `${path}/messages/${mine.message_id}`, { content: "hijack" }),
    ).toMatchObject({ status: 403, body: { error: { code: "FORBIDDEN" } } });
    // A message of a session the caller is in, addressed through another session's path: unknown here.
    expect(
      await stack().request(owner, "PATCH", `${path}/messages/${foreign.message_id}`, { content: "x" }),
    ).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } });
    expect((await stack().request(owner, "PATCH", `${path}/messages/msg_nope`, { content: "x" })).status).toBe(404);
    expect(
      (await stack().request(uniqueUser("mallory"), "PATCH", `${path}/messages/${mine.message_id}`, { content: "x" }))
        .status,
    ).toBe(404);
    const bad = await stack().request(owner, "PATCH", `${path}/messages/${mine.message_id}`, { content: " " });
    expect(bad).toMatchObject({ status: 400, body: { error: { details: [{ path: "content" }] } } });
    const unchanged = await stack().request(owner, "GET", `${path}/messages`);
    expect(unchanged.body.messages[0]).toMatchObject({ content: "owner's", is_edited: false });
  });

  it("agent replies cannot be edited (403)", async () => {
    const { owner, sessionId, path } = await sessionWith();
    const { message } = await stack().repo.appendMessage({
      sessionId,
      senderType: "agent",
      senderId: "1",
      messageType: "text",
      content: "agent says",
    });
    expect(
      (await stack().request(owner, "PATCH", `${path}/messages/${message.messageId}`, { content: "x" })).status,
    ).toBe(403);
  });
});
