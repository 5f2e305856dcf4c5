import { expect, it } from "vitest";
import { parseInline, parseMarkdown, safeHref } from "../src/markdown";

it("keeps HTML in message content as text", () => {
  const blocks = parseMarkdown('<img src=x onerror="alert(1)"> **<b>hi</b>**');
  expect(blocks).toEqual([
    {
      t: "p",
      c: [
        { t: "text", v: '<img src=x onerror="alert(1)"> ' },
        { t: "strong", c: [{ t: "text", v: "<b>hi</b>" }] },
      ],
    },
  ]);
});

it("links only http(s) and mailto URLs", () => {
  expect(safeHref("javascript:alert(1)")).toBeUndefined();
  expect(safeHref("data:text/html,<script>")).toBeUndefined();
  expect(parseInline("[x](javascript:alert(1))")[0]).toMatchObject({ t: "text" });
  expect(parseInline("see https://example.com/a.")).toEqual([
    { t: "text", v: "see " },
    { t: "link", href: "https://example.com/a", c: [{ t: "text", v: "https://example.com/a" }] },
    { t: "text", v: "." },
  ]);
});

it("renders code, lists, headings and line breaks", () => {
  const blocks = parseMarkdown("# Title\n- a\n- `b`\n\n```\n<script>x</script>\n```\nline 1\nline 2");
  expect(blocks.map((b) => b.t)).toEqual(["h", "ul", "pre", "p"]);
  expect(blocks[2]).toEqual({ t: "pre", v: "<script>x</script>" });
  expect(blocks[3]).toMatchObject({ c: [{ t: "text" }, { t: "br" }, { t: "text" }] });
});
