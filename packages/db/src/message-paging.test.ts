import { beforeAll, describe, expect, test } from "vitest";
import { appendMany, uid, useRepository } from "./test-helpers.js";

const { repo } = useRepository();
const TOTAL = 23;
let sessionId = "";

beforeAll(async () => {
  const userId = uid("u");
  sessionId = (await repo().createSession({ userId })).sessionId;
  await appendMany(repo(), sessionId, userId, TOTAL);
  // Another session's messages must never leak into this one's pages.
  const other = await repo().createSession({ userId });
  await appendMany(repo(), other.sessionId, userId, 3);
});

const all = Array.from({ length: TOTAL }, (_, i) => i + 1);
const seqsOf = (page: { messages: { seq: number }[] }) => page.messages.map((m) => m.seq);

describe("pageMessages", () => {
  test("without a cursor: the newest page, ascending", async () => {
    const page = await repo().pageMessages(sessionId, { limit: 5 });
    expect(seqsOf(page)).toEqual([19, 20, 21, 22, 23]);
    expect(page.hasMore).toBe(true);
  });

  test("walking back with beforeSeq covers every message once", async () => {
    const seen: number[] = [];
    let beforeSeq: number | undefined;
    for (;;) {
      const page = await repo().pageMessages(sessionId, { beforeSeq, limit: 5 });
      seen.unshift(...seqsOf(page));
      if (!page.hasMore) break;
      beforeSeq = page.messages[0]?.seq;
    }
    expect(seen).toEqual(all);
  });

  test("walking forward with afterSeq covers every message once", async () => {
    const seen: number[] = [];
    let afterSeq = 0;
    for (;;) {
      const page = await repo().pageMessages(sessionId, { afterSeq, limit: 4 });
      seen.push(...seqsOf(page));
      if (!page.hasMore) break;
      afterSeq = page.messages.at(-1)?.seq ?? afterSeq;
    }
    expect(seen).toEqual(all);
  });

  test("hasMore is false when the page ends exactly at the edge", async () => {
    const back = await repo().pageMessages(sessionId, { beforeSeq: 6, limit: 5 });
    expect(seqsOf(back)).toEqual([1, 2, 3, 4, 5]);
    expect(back.hasMore).toBe(false);
    const forward = await repo().pageMessages(sessionId, { afterSeq: 18, limit: 5 });
    expect(seqsOf(forward)).toEqual([19, 20, 21, 22, 23]);
    expect(forward.hasMore).toBe(false);
    const whole = await repo().pageMessages(sessionId, { limit: TOTAL });
    expect(seqsOf(whole)).toEqual(all);
    expect(whole.hasMore).toBe(false);
  });

  test("hasMore is true one message before the edge", async () => {
    const back = await repo().pageMessages(sessionId, { beforeSeq: 7, limit: 5 });
    expect(seqsOf(back)).toEqual([2, 3, 4, 5, 6]);
    expect(back.hasMore).toBe(true);
    const forward = await repo().pageMessages(sessionId, { afterSeq: 17, limit: 5 });
    expect(seqsOf(forward)).toEqual([18, 19, 20, 21, 22]);
    expect(forward.hasMore).toBe(true);
  });

  test("empty pages past either end", async () => {
    expect(await repo().pageMessages(sessionId, { beforeSeq: 1, limit: 5 })).toEqual({
      messages: [],
      hasMore: false,
    });
    expect(await repo().pageMessages(sessionId, { afterSeq: TOTAL, limit: 5 })).toEqual({
      messages: [],
      hasMore: false,
    });
    expect(await repo().pageMessages(uid("missing"), { limit: 5 })).toEqual({
      messages: [],
      hasMore: false,
    });
  });

  test("afterSeq with beforeSeq pages forward inside the window", async () => {
    const page = await repo().pageMessages(sessionId, { afterSeq: 10, beforeSeq: 15, limit: 3 });
    expect(seqsOf(page)).toEqual([11, 12, 13]);
    expect(page.hasMore).toBe(true);
    const rest = await repo().pageMessages(sessionId, { afterSeq: 13, beforeSeq: 15, limit: 3 });
    expect(seqsOf(rest)).toEqual([14]);
    expect(rest.hasMore).toBe(false);
  });
});
