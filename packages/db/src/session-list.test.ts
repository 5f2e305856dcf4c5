import { describe, expect, test } from "vitest";
import { appendMany, setStatus, uid, useRepository } from "./test-helpers.js";

const { repo, database } = useRepository();
const page = { limit: 50, offset: 0 };
const ids = (list: { sessions: { sessionId: string }[] }) => list.sessions.map((s) => s.sessionId);

describe("listSessions", () => {
  test("returns the session fields with last message, counts and total", async () => {
    const me = uid("me");
    const agent = uid("agent");
    const session = await repo().createSession({ userId: me, agentId: 3, title: "T" });
    await appendMany(repo(), session.sessionId, me, 2);
    await repo().appendMessage({
      sessionId: session.sessionId,
      senderType: "agent",
      senderId: agent,
      messageType: "text",
      content: "how can I help?",
    });

    const list = await repo().listSessions(me, page);
    expect(list.total).toBe(1);
    const [item] = list.sessions;
    const stored = await repo().getSession(session.sessionId);
    expect(item).toEqual({
      ...stored,
      lastMessage: "how can I help?",
      lastMessageAt: expect.any(Date),
      unreadCount: 1,
    });
    expect(item).not.toHaveProperty("total");
  });

  test("a session without messages has null last message and zero counts", async () => {
    const me = uid("me");
    await repo().createSession({ userId: me });
    const [item] = (await repo().listSessions(me, page)).sessions;
    expect(item).toMatchObject({
      lastMessage: null,
      lastMessageAt: null,
      unreadCount: 0,
    });
  });

  test("unread counts others' messages after the user's read marker", async () => {
    const owner = uid("owner");
    const member = uid("member");
    const { sessionId } = await repo().createSession({ userId: owner });
    await repo().addParticipant(sessionId, member, "member");
    await appendMany(repo(), sessionId, owner, 4); // seq 1..4 by owner
    await appendMany(repo(), sessionId, member, 2); // seq 5..6 by member

    const unread = async (userId: string) => (await repo().listSessions(userId, page)).sessions[0]?.unreadCount;
    expect(await unread(member)).toBe(4);
    expect(await unread(owner)).toBe(2);
    await repo().markRead(sessionId, member, 3);
    expect(await unread(member)).toBe(1);
    await repo().markRead(sessionId, owner, 6);
    expect(await unread(owner)).toBe(0);
  });

  test("lists only the user's sessions, newest activity first, without deleted ones", async () => {
    const me = uid("me");
    const a = await repo().createSession({ userId: me });
    const b = await repo().createSession({ userId: me });
    const c = await repo().createSession({ userId: uid("other") });
    const d = await repo().createSession({ userId: me });
    await repo().addParticipant(c.sessionId, me, "member");
    await repo().createSession({ userId: uid("stranger") });
    await appendMany(repo(), a.sessionId, me, 1); // a is now the most recently active
    await setStatus(database().db, d.sessionId, "deleted");

    const list = await repo().listSessions(me, page);
    expect(ids(list)).toEqual([a.sessionId, c.sessionId, b.sessionId]);
    expect(list.total).toBe(3);
  });

  test("filters by status and agent", async () => {
    const me = uid("me");
    const active1 = await repo().createSession({ userId: me, agentId: 1 });
    const active2 = await repo().createSession({ userId: me, agentId: 2 });
    const archived = await repo().createSession({ userId: me, agentId: 1 });
    await setStatus(database().db, archived.sessionId, "archived");

    const sorted = (list: { sessions: { sessionId: string }[] }) => ids(list).sort();
    expect(sorted(await repo().listSessions(me, { ...page, status: "active" }))).toEqual(
      [active1.sessionId, active2.sessionId].sort(),
    );
    expect(ids(await repo().listSessions(me, { ...page, status: "archived" }))).toEqual([archived.sessionId]);
    const agent1 = await repo().listSessions(me, { ...page, agentId: 1 });
    expect(ids(agent1).sort()).toEqual([active1.sessionId, archived.sessionId].sort());
    expect(agent1.total).toBe(2);
    const both = await repo().listSessions(me, { ...page, agentId: 1, status: "active" });
    expect(both).toMatchObject({ total: 1, sessions: [{ sessionId: active1.sessionId }] });
  });

  test("limit and offset page through; total counts every match", async () => {
    const me = uid("me");
    const created = [];
    for (let i = 0; i < 5; i++) created.push((await repo().createSession({ userId: me })).sessionId);
    const newestFirst = [...created].reverse();

    const first = await repo().listSessions(me, { limit: 2, offset: 0 });
    const second = await repo().listSessions(me, { limit: 2, offset: 2 });
    const third = await repo().listSessions(me, { limit: 2, offset: 4 });
    expect([...ids(first), ...ids(second), ...ids(third)]).toEqual(newestFirst);
    for (const p of [first, second, third]) expect(p.total).toBe(5);

    const past = await repo().listSessions(me, { limit: 2, offset: 10 });
    expect(past).toEqual({ sessions: [], total: 5 });
    expect(await repo().listSessions(uid("nobody"), page)).toEqual({ sessions: [], total: 0 });
  });
});
