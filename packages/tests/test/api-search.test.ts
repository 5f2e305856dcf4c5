import { describe, expect, it } from "vitest";
import { uniqueUser, useStack } from "../src";

const stack = useStack({ worker: false });
const search = (user: string, params: Record<string, string>) =>
  stack().request(user, "GET", `/api/chat/search?${new URLSearchParams(params)}`);

async function seed() {
  const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
  const make = async (owner: string, title: string, contents: string[]) => {
    const { body } = await stack().request(owner, "POST", "/api/chat/sessions", { title });
    for (const content of contents) {
      await stack().request(owner, "POST", `/api/chat/sessions/${body.session_id}/messages`, { content });
    }
    return body.session_id as string;
  };
  const support = await make(alice, "고객 지원", [
    "제품 교환 문의입니다.",
    "배송이 늦어지고 있어요",
    "교환 절차를 알려주세요",
    "Refund policy?",
  ]);
  const other = await make(alice, "잡담", ["점심 메뉴 추천해 주세요", "교환학생 이야기"]);
  const bobs = await make(bob, "밥의 방", ["제품 교환은 안 됩니다"]);
  return { alice, bob, support, other, bobs };
}

describe("GET /api/chat/search", () => {
  it("finds Korean text (2- and 3+-character queries) in the caller's sessions only, newest first, with marks", async () => {
    const { alice, support, other } = await seed();
    const res = await search(alice, { q: "교환" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ query: "교환", has_more: false });
    expect(res.body.results.map((r: { snippet: string }) => r.snippet)).toEqual([
      "<mark>교환</mark>학생 이야기",
      "<mark>교환</mark> 절차를 알려주세요",
      "제품 <mark>교환</mark> 문의입니다.",
    ]);
    expect(res.body.results[2]).toEqual({
      message_id: expect.stringMatching(/^msg_/),
      session_id: support,
      session_title: "고객 지원",
      seq: 1,
      sender_type: "user",
      sender_id: alice,
      message_type: "text",
      created_at: expect.any(String),
      snippet: "제품 <mark>교환</mark> 문의입니다.",
    });
    const long = await search(alice, { q: "문의입니다" });
    expect(long.body.results.map((r: { session_id: string }) => r.session_id)).toEqual([support]);
    const one = await search(alice, { q: "밥" });
    expect(one.body.results).toEqual([]); // "밥의 방" is bob's
    const single = await search(alice, { q: "늦" });
    expect(single.body.results.map((r: { snippet: string }) => r.snippet)).toEqual([
      "배송이 <mark>늦</mark>어지고 있어요",
    ]);
    expect((await search(alice, { q: "교환", session_id: other })).body.results).toHaveLength(1);
  });

  it("is case-insensitive, treats % and _ literally, and limits with has_more", async () => {
    const { alice } = await seed();
    expect((await search(alice, { q: "REFUND" })).body.results[0].snippet).toBe("<mark>Refund</mark> policy?");
    expect((await search(alice, { q: "%" })).body.results).toEqual([]);
    expect((await search(alice, { q: "_" })).body.results).toEqual([]);
    const limited = await search(alice, { q: "교환", limit: "2" });
    expect(limited.body).toMatchObject({ has_more: true });
    expect(limited.body.results).toHaveLength(2);
  });

  it("escapes HTML in snippets", async () => {
    const alice = uniqueUser("alice");
    const { body } = await stack().request(alice, "POST", "/api/chat/sessions", {});
    await stack().request(alice, "POST", `/api/chat/sessions/${body.session_id}/messages`, {
      content: '<script>alert("검색")</script>',
    });
    const res = await search(alice, { q: "검색" });
    expect(res.body.results[0].snippet).toBe("&lt;script&gt;alert(&quot;<mark>검색</mark>&quot;)&lt;/script&gt;");
  });

  it("skips deleted sessions; 404 for a session_id the caller is not in; 400 naming the field; 401", async () => {
    const { alice, support, bobs } = await seed();
    await stack().request(alice, "DELETE", `/api/chat/sessions/${support}`);
    expect((await search(alice, { q: "교환" })).body.results).toHaveLength(1);
    expect((await search(alice, { q: "교환", session_id: support })).status).toBe(404);
    expect(await search(alice, { q: "교환", session_id: bobs })).toMatchObject({
      status: 404,
      body: { error: { code: "SESSION_NOT_FOUND" } },
    });
    for (const [params, field] of [
      [{}, "q"],
      [{ q: "  " }, "q"],
      [{ q: "x".repeat(201) }, "q"],
      [{ q: "a", limit: "0" }, "limit"],
      [{ q: "a", limit: "101" }, "limit"],
      [{ q: "a", session_id: "bad id!" }, "session_id"],
    ] as const) {
      const res = await search(alice, params);
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect(res.body.error.details[0].path).toBe(field);
    }
    expect((await fetch(`${stack().apiUrl}/api/chat/search?q=x`)).status).toBe(401);
  });
});
