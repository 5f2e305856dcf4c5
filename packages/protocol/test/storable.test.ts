import { describe, expect, it } from "vitest";
import { findUnstorable, MAX_JSON_DEPTH, parseClientFrame } from "../src";

const nested = (depth: number): unknown => JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`);

describe("findUnstorable", () => {
  it("passes ordinary values, including astral characters and -0", () => {
    expect(findUnstorable({ content: "안녕 😀", metadata: { n: -0, big: 1e308, list: [1, "a"] } })).toBeUndefined();
  });

  it.each([
    [{ content: "a\u0000b" }, "content", "NUL"],
    [{ metadata: { deep: { "k\u0000": 1 } } }, "metadata.deep.k\u0000", "NUL"],
    [{ metadata: { a: ["x", "\ud800"] } }, "metadata.a.1", "lone surrogate"],
    [{ title: "\udc00x" }, "title", "lone surrogate"],
    [{ metadata: { a: nested(MAX_JSON_DEPTH) } }, "metadata.a", "deeper"],
  ])("names the field of %j", (value, path, problem) => {
    expect(findUnstorable(value)).toEqual({
      path: expect.stringContaining(path),
      message: expect.stringContaining(problem),
    });
  });

  it("walks 10,000 levels without overflowing the stack", () => {
    expect(findUnstorable(nested(10_000))?.message).toContain("deeper");
  });
});

describe("parseClientFrame refuses what PostgreSQL cannot store", () => {
  it("answers a NUL in content with a VALIDATION_ERROR naming content", () => {
    const result = parseClientFrame(JSON.stringify({ type: "message", content: "a\u0000" }));
    expect(result).toMatchObject({ ok: false, error: { code: "VALIDATION_ERROR", details: [{ path: "content" }] } });
  });

  it("ignores unknown fields, which are stripped before storage", () => {
    expect(parseClientFrame(JSON.stringify({ type: "typing", is_typing: true, junk: "\u0000" })).ok).toBe(true);
  });
});
