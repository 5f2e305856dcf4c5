import { describe, expect, it } from "vitest";
import { uniqueUser, useStack } from "../src";

const stack = useStack({ worker: false });

async function sessionWithMessages(count: number) {
  const user = uniqueUser("alice");
  const { body } = await stack().request(user, "POST", "/api/chat/sessions", {});
  const base = `/api/chat/sessions/${body.session_id}/messages`;
  const posted = [];
  for (let i = 1; i <= count; i++)
    posted.push((await stack().request(user, "POST", base, { content: `메시지 ${i}` })).body);
  return { user, base, posted };
}
const seqs = (body: { messages: { seq: number }[] }) => body.messages.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("GET /sessions/{id}/messages paging", () => {
  it("defaults to the newest 50, caps limit at 200, and reports total and has_more", async () => {
    const { user, base } = await sessionWithMessages(55);
    const page = await stack().request(user, "GET", base);
    expect(seqs(page.body)).toEqual(range(6, 55));
    expect(page.body).toMatchObject({ has_more: true, total: 55 });
    const all = await stack().request(user, "GET", `${base}?limit=200`);
    expect(all.body).toMatchObject({ has_more: false, total: 55 });
    expect((await stack().request(user, "GET", `${base}?limit=201`)).body.error.details[0].path).toBe("limit");
    const empty = await stack().request(user, "GET", `${base}?after=55`);
    expect(empty.body).toMatchObject({ messages: [], has_more: false, total: 55 });
  });

  it("accepts ISO times as cursors (created_at, millisecond precision)", async () => {
    const { user, base, posted } = await sessionWithMessages(5);
    const third = posted[2].created_at as string;
    const before = await stack().request(user, "GET", `${base}?before=${encodeURIComponent(third)}`);
    const after = await stack().request(user, "GET", `${base}?after=${encodeURIComponent(third)}`);
    // Messages stored within the same millisecond as the third are on neither side; seq is the exact cursor.
    for (const seq of seqs(before.body)) expect(seq).toBeLessThan(3);
    for (const seq of seqs(after.body)) expect(seq).toBeGreaterThan(3);
    expect(seqs(before.body)).toContain(1);
    expect(seqs(after.body)).toContain(5);
    // The same wall-clock time at UTC-9 is 9 hours later; at UTC+9, 9 hours earlier.
    const later = await stack().request(
      user,
      "GET",
      `${base}?before=${encodeURIComponent(third.replace("Z", "-09:00"))}`,
    );
    expect(seqs(later.body)).toEqual(range(1, 5));
    const earlier = await stack().request(
      user,
      "GET",
      `${base}?before=${encodeURIComponent(third.replace("Z", "+09:00"))}`,
    );
    expect(seqs(earlier.body)).toEqual([]);
    const bad = await stack().request(user, "GET", `${base}?after=2025-13-01T00:00:00Z`);
    expect(bad.body.error.details[0].path).toBe("after");
  });

  it("walking pages by seq while new messages arrive has no gap and no duplicate", async () => {
    const { user, base } = await sessionWithMessages(20);
    let writing = true;
    const writer = (async () => {
      let i = 0;
      while (writing) await stack().request(user, "POST", base, { content: `new ${i++}` });
    })();

    // Backwards from the newest page seen at the start.
    const first = (await stack().request(user, "GET", `${base}?limit=6`)).body;
    const backward = [...seqs(first)];
    let cursor = backward[0];
    let hasMore = first.has_more;
    while (hasMore) {
      const page = (await stack().request(user, "GET", `${base}?limit=6&before=${cursor}`)).body;
      backward.unshift(...seqs(page));
      cursor = page.messages[0]?.seq;
      hasMore = page.has_more;
    }
    expect(backward).toEqual(range(1, backward.length));

    // Forwards from the start until the end catches up (the writer stops halfway).
    const forward: number[] = [];
    let after = 0;
    for (let pages = 0; ; pages++) {
      if (pages === 4) writing = false;
      const page = (await stack().request(user, "GET", `${base}?limit=6&after=${after}`)).body;
      forward.push(...seqs(page));
      after = forward.at(-1) ?? 0;
      if (!page.has_more && !writing) break;
    }
    await writer;
    const rest = (await stack().request(user, "GET", `${base}?limit=200&after=${after}`)).body;
    forward.push(...seqs(rest));
    expect(forward).toEqual(range(1, forward.length));
    expect(forward.length).toBe(rest.total);
  });
});
