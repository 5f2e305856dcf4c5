import { describe, expect, it } from "vitest";
import { newMessageId, newSessionId } from "./ids.js";

describe("ids", () => {
  it("are prefixed, 16 URL-safe characters, and never repeat across refills of the random pool", () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => (i % 2 ? newMessageId() : newSessionId()));
    for (const id of ids) expect(id).toMatch(/^(msg|sess)_[A-Za-z0-9_-]{16}$/);
    const parts = ids.map((id) => id.slice(id.indexOf("_") + 1));
    expect(new Set(parts).size).toBe(ids.length);
  });
});
