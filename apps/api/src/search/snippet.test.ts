import { describe, expect, it } from "vitest";
import { escapeHtml, highlightSnippet } from "./snippet";

describe("highlightSnippet", () => {
  it("marks every occurrence, case-insensitively, in Korean and Latin text", () => {
    expect(highlightSnippet("제품 교환 문의입니다. 교환 가능?", "교환")).toBe(
      "제품 <mark>교환</mark> 문의입니다. <mark>교환</mark> 가능?",
    );
    expect(highlightSnippet("Refund or REFUND", "refund")).toBe("<mark>Refund</mark> or <mark>REFUND</mark>");
  });

  it("escapes everything else, so user HTML never renders", () => {
    const html = highlightSnippet(`<img src=x onerror="alert('교환')"> & 교환`, "교환");
    expect(html).toBe(
      "&lt;img src=x onerror=&quot;alert(&#39;<mark>교환</mark>&#39;)&quot;&gt; &amp; <mark>교환</mark>",
    );
    expect(html.replace(/<\/?mark>/g, "")).not.toMatch(/[<>]/);
  });

  it("treats the query literally (regex characters, HTML characters)", () => {
    expect(highlightSnippet("a+b (c) <b>", "(c)")).toBe("a+b <mark>(c)</mark> &lt;b&gt;");
    expect(highlightSnippet("x <b> y", "<b>")).toBe("x <mark>&lt;b&gt;</mark> y");
  });

  it("cuts a window around the first match with ellipses", () => {
    const content = `${"가".repeat(200)}검색어${"나".repeat(200)}`;
    const snippet = highlightSnippet(content, "검색어", { before: 10, after: 20 });
    expect(snippet).toBe(`…${"가".repeat(10)}<mark>검색어</mark>${"나".repeat(17)}…`);
  });

  it("never splits a surrogate pair at the edges", () => {
    const content = `${"😀".repeat(10)}hit${"😀".repeat(10)}`;
    const snippet = highlightSnippet(content, "hit", { before: 3, after: 6 });
    expect(snippet).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(snippet).toContain("<mark>hit</mark>");
  });

  it("escapeHtml covers the five characters", () => {
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
  });
});
