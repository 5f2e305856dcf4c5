import { describe, expect, test } from "vitest";
import { NotFoundError } from "./errors.js";
import { appendMany, uid, useRepository } from "./test-helpers.js";

const { repo } = useRepository();

async function sessionWithOwner() {
  const owner = uid("owner");
  const session = await repo().createSession({ userId: owner });
  return { owner, sessionId: session.sessionId };
}

describe("participants", () => {
  test("addParticipant adds once; a repeat keeps the first role and read marker", async () => {
    const { owner, sessionId } = await sessionWithOwner();
    const member = uid("m");
    const first = await repo().addParticipant(sessionId, member, "member");
    expect(first.added).toBe(true);
    expect(first.participant).toMatchObject({ sessionId, userId: member, role: "member" });
    expect(first.participant.joinedAt).toBeInstanceOf(Date);

    await appendMany(repo(), sessionId, owner, 2);
    await repo().markRead(sessionId, member, 2);
    const again = await repo().addParticipant(sessionId, member, "owner");
    expect(again.added).toBe(false);
    expect(again.participant).toMatchObject({ role: "member", lastReadSeq: 2 });
    expect(await repo().listParticipants(sessionId)).toHaveLength(2);
  });

  test("addParticipant to a missing session fails", async () => {
    await expect(repo().addParticipant(uid("missing"), uid("m"), "member")).rejects.toThrow();
  });

  test("isParticipant and removeParticipant", async () => {
    const { owner, sessionId } = await sessionWithOwner();
    const member = uid("m");
    await repo().addParticipant(sessionId, member, "member");
    expect(await repo().isParticipant(sessionId, member)).toBe(true);
    expect(await repo().isParticipant(sessionId, owner)).toBe(true);
    expect(await repo().isParticipant(sessionId, uid("stranger"))).toBe(false);

    expect(await repo().removeParticipant(sessionId, member)).toBe(true);
    expect(await repo().removeParticipant(sessionId, member)).toBe(false);
    expect(await repo().isParticipant(sessionId, member)).toBe(false);
    expect((await repo().listParticipants(sessionId)).map((p) => p.userId)).toEqual([owner]);
  });

  test("listParticipants lists in join order", async () => {
    const { owner, sessionId } = await sessionWithOwner();
    const a = uid("a");
    const b = uid("b");
    await repo().addParticipant(sessionId, a, "member");
    await repo().addParticipant(sessionId, b, "member");
    const list = await repo().listParticipants(sessionId);
    expect(list.map((p) => [p.userId, p.role])).toEqual([
      [owner, "owner"],
      [a, "member"],
      [b, "member"],
    ]);
    expect(await repo().listParticipants(uid("missing"))).toEqual([]);
  });
});

describe("markRead", () => {
  test("moves the marker forward only", async () => {
    const { owner, sessionId } = await sessionWithOwner();
    await appendMany(repo(), sessionId, owner, 5);
    expect(await repo().markRead(sessionId, owner, 3)).toBe(3);
    expect(await repo().markRead(sessionId, owner, 2)).toBe(3);
    expect(await repo().markRead(sessionId, owner, 5)).toBe(5);
    const [row] = await repo().listParticipants(sessionId);
    expect(row?.lastReadSeq).toBe(5);
  });

  test("caps the marker at the session's last seq", async () => {
    const { owner, sessionId } = await sessionWithOwner();
    expect(await repo().markRead(sessionId, owner, 10)).toBe(0);
    await appendMany(repo(), sessionId, owner, 4);
    expect(await repo().markRead(sessionId, owner, 1_000_000)).toBe(4);
  });

  test("throws NotFoundError for someone who is not a participant", async () => {
    const { sessionId } = await sessionWithOwner();
    await expect(repo().markRead(sessionId, uid("stranger"), 1)).rejects.toBeInstanceOf(NotFoundError);
  });
});
