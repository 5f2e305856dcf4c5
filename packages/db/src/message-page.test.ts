import { beforeAll, describe, expect, test } from "vitest";
import { appendMany, setStatus, uid, useRepository } from "./test-helpers.js";
import type { PageMessagesOptions } from "./types.js";

const { repo, database } = useRepository();
const owner = uid("owner");
const member = uid("member");
let sessionId = "";
let emptySessionId = "";
let deletedSessionId = "";
let middle = new Date();

beforeAll(async () => {
  sessionId = (await repo().createSession({ userId: owner })).sessionId;
  await repo().addParticipant(sessionId, member, "member");
  const messages = await appendMany(repo(), sessionId, owner, 12);
  await repo().appendMessage({
    sessionId,
    senderType: "agent",
    senderId: "agent-1",
    messageType: "text",
    content: "with metadata",
    metadata: { source: "test", nested: { n: 1 } },
  });
  // An edit burns a seq (event_seq), so the count is not the last seq.
  const edited = messages[3];
  if (edited)
    await repo().updateMessageAsEvent(edited.messageId, { content: "edited", isEdited: true, editedAt: new Date() });
  middle = messages[6]?.createdAt ?? new Date();
  emptySessionId = (await repo().createSession({ userId: owner })).sessionId;
  deletedSessionId = (await repo().createSession({ userId: owner })).sessionId;
  await appendMany(repo(), deletedSessionId, owner, 2);
  await setStatus(database().db, deletedSessionId, "deleted");
});

describe("pageMessagesForMember", () => {
  test("answers what pageMessages and countMessages answer, row for row, for every cursor", async () => {
    const cases: PageMessagesOptions[] = [
      { limit: 50 },
      { limit: 5 },
      { limit: 5, beforeSeq: 8 },
      { limit: 5, afterSeq: 3 },
      { limit: 3, afterSeq: 2, beforeSeq: 9 },
      { limit: 20, beforeTime: middle },
      { limit: 20, afterTime: middle },
      { limit: 1, afterSeq: 100 },
    ];
    for (const options of cases) {
      const expected = await repo().pageMessages(sessionId, options);
      const total = await repo().countMessages(sessionId);
      for (const user of [owner, member]) {
        expect(await repo().pageMessagesForMember(sessionId, user, options), JSON.stringify(options)).toEqual({
          ...expected,
          total,
        });
      }
    }
    expect(await repo().countMessages(sessionId)).toBe(13);
  });

  test("an empty session: no messages, total 0", async () => {
    expect(await repo().pageMessagesForMember(emptySessionId, owner, { limit: 50 })).toEqual({
      messages: [],
      hasMore: false,
      total: 0,
    });
  });

  test("undefined for a non-participant, an unknown session and a soft-deleted one", async () => {
    expect(await repo().pageMessagesForMember(sessionId, uid("stranger"), { limit: 50 })).toBeUndefined();
    expect(await repo().pageMessagesForMember(emptySessionId, member, { limit: 50 })).toBeUndefined();
    expect(await repo().pageMessagesForMember(uid("sess"), owner, { limit: 50 })).toBeUndefined();
    expect(await repo().pageMessagesForMember(deletedSessionId, owner, { limit: 50 })).toBeUndefined();
  });
});
