import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { errorCatalog, parseClientFrame } from "../src";

// Random and mutated frames: the parser never throws and always answers with either a typed
// frame or an error whose code is in the catalog.
const validFrames = fc.oneof(
  fc.record({
    type: fc.constant("message"),
    content: fc.string({ minLength: 1 }),
    client_msg_id: fc.option(fc.stringMatching(/^[a-z0-9_-]{1,20}$/), { nil: undefined }),
  }),
  fc.record({ type: fc.constant("typing"), is_typing: fc.boolean() }),
  fc.record({ type: fc.constant("cancel"), message_id: fc.string({ minLength: 1, maxLength: 100 }) }),
  fc.record({ type: fc.constant("sync"), since_seq: fc.nat() }),
  fc.record({ type: fc.constant("read"), seq: fc.nat() }),
);

function check(raw: string | Uint8Array) {
  const result = parseClientFrame(raw);
  if (result.ok) {
    expect(typeof result.value.type).toBe("string");
  } else {
    expect(Object.hasOwn(errorCatalog, result.error.code)).toBe(true);
    expect(result.error.message.length).toBeLessThan(500);
  }
}

describe("parseClientFrame under fuzzing", () => {
  it("accepts every valid frame", () => {
    fc.assert(
      fc.property(validFrames, (frame) => {
        const result = parseClientFrame(JSON.stringify(frame));
        if (frame.type === "message" && frame.content.trim() === "") return;
        expect(result.ok).toBe(true);
      }),
    );
  });

  it("never throws on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => check(JSON.stringify(value))),
      { numRuns: 2_000 },
    );
  });

  it("never throws on valid frames with fields mutated to wrong types, huge numbers or deep nesting", () => {
    const hostile = fc.oneof(
      fc.constant(Number.MAX_VALUE),
      fc.constant(-1),
      fc.constant(1.5),
      fc.constant(null),
      fc.string(),
      fc.array(fc.anything(), { maxLength: 3 }),
      fc.nat().map((depth) => JSON.parse("[".repeat(depth % 500) + "]".repeat(depth % 500))),
    );
    fc.assert(
      fc.property(validFrames, fc.string(), hostile, (frame, key, value) => {
        const mutated: Record<string, unknown> = {
          ...frame,
          [Object.keys(frame)[key.length % Object.keys(frame).length] ?? key]: value,
        };
        check(JSON.stringify(mutated));
      }),
      { numRuns: 2_000 },
    );
  });

  it("never throws on arbitrary bytes, including invalid UTF-8", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => check(bytes)),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => check(text)),
      { numRuns: 2_000 },
    );
  });
});
