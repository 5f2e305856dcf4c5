import { describe, expect, test } from "vitest";
import { setStatus, uid, useRepository } from "./test-helpers.js";

const { repo, database } = useRepository();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("createSession", () => {
  test("generates a sess_ id and a UUID trace id, defaults the rest", async () => {
    const userId = uid("u");
    const session = await repo().createSession({ userId });
    expect(session.sessionId).toMatch(/^sess_[A-Za-z0-9_-]{16}$/);
    expect(session.traceId).toMatch(UUID);
    expect(session).toMatchObject({
      userId,
      agentId: null,
      title: null,
      metadata: null,
      status: "active",
      lastSeq: 0,
      endedAt: null,
    });
    expect(session.createdAt).toBeInstanceOf(Date);
  });

  test("stores the given fields and makes the creator the owner", async () => {
    const userId = uid("u");
    const sessionId = uid("sess");
    const session = await repo().createSession({
      sessionId,
      userId,
      agentId: 7,
      title: "Support",
      metadata: { purpose: "product_inquiry", nested: { n: 1 } },
      traceId: "trace_given",
    });
    expect(session).toMatchObject({
      sessionId,
      agentId: 7,
      title: "Support",
      traceId: "trace_given",
      metadata: { purpose: "product_inquiry", nested: { n: 1 } },
    });
    const participants = await repo().listParticipants(sessionId);
    expect(participants).toEqual([expect.objectContaining({ sessionId, userId, role: "owner", lastReadSeq: 0 })]);
  });

  test("rejects a session id that exists, leaving no second owner behind", async () => {
    const sessionId = uid("sess");
    await repo().createSession({ sessionId, userId: uid("u") });
    await expect(repo().createSession({ sessionId, userId: uid("other") })).rejects.toThrow();
    expect(await repo().listParticipants(sessionId)).toHaveLength(1);
  });
});

describe("ensureSession", () => {
  test("creates the session owned by the caller, then returns it unchanged", async () => {
    const sessionId = uid("sess");
    const owner = uid("u");
    const first = await repo().ensureSession(sessionId, owner);
    expect(first.created).toBe(true);
    expect(first.session).toMatchObject({ sessionId, userId: owner, status: "active" });
    expect(first.session.traceId).toMatch(UUID);

    const second = await repo().ensureSession(sessionId, uid("someone_else"));
    expect(second).toEqual({ session: first.session, created: false });
    expect(await repo().listParticipants(sessionId)).toEqual([
      expect.objectContaining({ userId: owner, role: "owner" }),
    ]);
  });

  test("concurrent calls create the session once, with one owner", async () => {
    const sessionId = uid("sess");
    const users = Array.from({ length: 8 }, () => uid("u"));
    const results = await Promise.all(users.map((u) => repo().ensureSession(sessionId, u)));
    const creators = results.filter((r) => r.created);
    expect(creators).toHaveLength(1);
    const owner = creators[0]?.session.userId;
    for (const r of results) expect(r.session.userId).toBe(owner);
    expect(await repo().listParticipants(sessionId)).toEqual([
      expect.objectContaining({ userId: owner, role: "owner" }),
    ]);
  });
});

describe("getSession / getSessionForUser", () => {
  test("getSession finds by session id, undefined when missing", async () => {
    const session = await repo().createSession({ userId: uid("u") });
    expect(await repo().getSession(session.sessionId)).toEqual(session);
    expect(await repo().getSession(uid("missing"))).toBeUndefined();
  });

  test("getSessionForUser answers participants only", async () => {
    const owner = uid("u");
    const member = uid("m");
    const session = await repo().createSession({ userId: owner });
    await repo().addParticipant(session.sessionId, member, "member");
    expect(await repo().getSessionForUser(session.sessionId, owner)).toEqual(session);
    expect(await repo().getSessionForUser(session.sessionId, member)).toEqual(session);
    expect(await repo().getSessionForUser(session.sessionId, uid("stranger"))).toBeUndefined();
    expect(await repo().getSessionForUser(uid("missing"), owner)).toBeUndefined();
  });

  test("getSessionForUser hides deleted sessions but not archived ones", async () => {
    const { db } = database();
    const owner = uid("u");
    const archived = await repo().createSession({ userId: owner });
    const deleted = await repo().createSession({ userId: owner });
    await setStatus(db, archived.sessionId, "archived");
    await setStatus(db, deleted.sessionId, "deleted");
    expect(await repo().getSessionForUser(archived.sessionId, owner)).toMatchObject({
      status: "archived",
    });
    expect(await repo().getSessionForUser(deleted.sessionId, owner)).toBeUndefined();
    expect(await repo().getSession(deleted.sessionId)).toMatchObject({ status: "deleted" });
  });
});
