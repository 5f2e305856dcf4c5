import { describe, expect, it } from "vitest";
import { Coalescer } from "./coalescer";

describe("Coalescer", () => {
  it("sends the first token at once and merges a burst, keeping every character in order", async () => {
    const sent: string[] = [];
    const coalescer = new Coalescer(
      async (text) => {
        sent.push(text);
      },
      { windowMs: 1_000 },
    );
    coalescer.push("first");
    expect(sent).toEqual([]); // sends are chained: the first goes out on the next tick
    await Promise.resolve();
    for (let i = 0; i < 100; i++) coalescer.push(`t${i} `);
    await coalescer.finish();
    expect(sent[0]).toBe("first");
    expect(sent.length).toBe(2);
    expect(sent.join("")).toBe(`first${Array.from({ length: 100 }, (_, i) => `t${i} `).join("")}`);
  });

  it("sends at once past maxChars", async () => {
    const sent: string[] = [];
    const coalescer = new Coalescer(async (text) => void sent.push(text), { windowMs: 60_000, maxChars: 10 });
    coalescer.push("a");
    coalescer.push("bcdefghijk");
    coalescer.push("l");
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sent).toEqual(["a", "bcdefghijk"]);
    await coalescer.finish();
    expect(sent).toEqual(["a", "bcdefghijk", "l"]);
  });

  it("surfaces a failed send", async () => {
    const coalescer = new Coalescer(async () => {
      throw new Error("redis down");
    });
    coalescer.push("x");
    await expect(coalescer.finish()).rejects.toThrow("redis down");
    expect(() => coalescer.push("y")).toThrow("redis down");
  });
});
