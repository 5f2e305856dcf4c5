import fc from "fast-check";

/**
 * Hostile inputs for fuzzing the running service (issue 9), as JSON *text*: 10,000 levels of
 * nesting overflow JSON.stringify, and duplicate or `__proto__` keys cannot be built as objects.
 * A value is plain JSON data or a {@link Raw} fragment spliced in verbatim.
 */
export class Raw {
  constructor(readonly text: string) {}
}

/** JSON text of `value`, with every {@link Raw} inside written as its text. */
export function jsonText(value: unknown): string {
  const fragments: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof Raw)) return v;
    fragments.push(v.text);
    return `\u0001raw${fragments.length - 1}\u0001`;
  });
  // JSON.stringify escapes U+0001, so the marker can only be ours.
  return (text ?? "null").replace(/"\\u0001raw(\d+)\\u0001"/g, (_m, i: string) => fragments[Number(i)] ?? "null");
}

/** An object written key by key, so a key may repeat or be `__proto__`. */
export function rawObject(entries: readonly [string, unknown][]): Raw {
  return new Raw(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(",")}}`);
}

export const deepArray = (depth: number) => new Raw(`${"[".repeat(depth)}${"]".repeat(depth)}`);
export const deepObject = (depth: number) => new Raw(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`);

/** Values that do not belong in any field: wrong types, extreme numbers, bad text, depth. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, -(2 ** 53), 5e-324),
  fc.constantFrom(new Raw("-0"), new Raw("1e400"), new Raw("-1e400"), new Raw("123456789012345678901234567890")),
  fc.constantFrom("NaN", "Infinity", "-0", "1e308", "", " ", "\u0000", "a\u0000b", "\ud800", "x\udfffy", "\uffff"),
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty"),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.integer({ min: 1, max: 80 }).map((k) => "x".repeat(k * 1_000)),
  fc.constantFrom(deepArray(10_000), deepObject(3_000), deepArray(33), deepArray(100)),
  fc.constantFrom(
    rawObject([["__proto__", { polluted: true }]]),
    rawObject([["constructor", { prototype: { polluted: true } }]]),
  ),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);

/** Valid client frames of every type (message, typing, file, cancel, sync, read, ping). */
export const validFrame: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record(
    {
      type: fc.constant("message"),
      content: fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim() !== ""),
      client_msg_id: fc.stringMatching(/^[a-z0-9_-]{8,20}$/),
      metadata: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    },
    { requiredKeys: ["type", "content"] },
  ),
  fc.record({ type: fc.constant("typing"), is_typing: fc.boolean() }),
  fc.record({ type: fc.constant("file"), file_id: fc.stringMatching(/^file_[a-z0-9]{1,12}$/) }),
  fc.record({ type: fc.constant("cancel"), message_id: fc.stringMatching(/^msg_[a-z0-9]{1,12}$/) }),
  fc.record({ type: fc.constant("sync"), since_seq: fc.nat() }),
  fc.record({ type: fc.constant("read"), seq: fc.nat() }),
  fc.constant({ type: "ping" }),
);

const oddKey = fc.constantFrom("__proto__", "constructor", "prototype", "type", "content", "", "\u0000");

/**
 * JSON text derived from a valid value: a field swapped for a hostile value, a key repeated,
 * an odd key added, the object nested or cut short, or a character replaced.
 */
export function mutatedJson(base: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> {
  // The field to spoil: any but `type` (a bad `type` is covered by hostileFrameText); `ping` has
  // none, so it gets an unknown one, which must be ignored.
  const fieldOf = (value: Record<string, unknown>, i: number) => {
    const keys = Object.keys(value).filter((k) => k !== "type");
    return keys.length > 0 ? (keys[i % keys.length] as string) : "extra";
  };
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(base, fc.nat(), hostileValue)
        .map(([value, i, bad]) => jsonText({ ...value, [fieldOf(value, i)]: bad })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(base, fc.nat(), hostileValue)
        .map(([value, i, bad]) => jsonText(rawObject([...Object.entries(value), [fieldOf(value, i), bad]]))),
    },
    fc
      .tuple(base, oddKey, hostileValue)
      .map(([value, key, bad]) => jsonText(rawObject([[key, bad], ...Object.entries(value)]))),
    fc.tuple(base, fc.nat()).map(([value, cut]) => {
      const text = jsonText(value);
      return text.slice(0, cut % text.length);
    }),
    fc.tuple(base, fc.nat(), fc.string({ unit: "binary", minLength: 1, maxLength: 2 })).map(([value, at, char]) => {
      const text = jsonText(value);
      const i = at % text.length;
      return text.slice(0, i) + char + text.slice(i + 1);
    }),
    base.map((value) => jsonText([value])),
    base.map((value) => jsonText({ ...value, type: new Raw(jsonText(value)) })),
  );
}

/** Whole frames: mutated valid ones, unknown types, non-objects and bare JSON values. */
export const hostileFrameText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: mutatedJson(validFrame), weight: 6 },
  { arbitrary: validFrame.map(jsonText), weight: 1 },
  { arbitrary: fc.string({ maxLength: 30 }).map((type) => jsonText({ type, content: "x" })), weight: 1 },
  { arbitrary: hostileValue.map((type) => jsonText({ type })), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => jsonText(v)), weight: 1 },
  { arbitrary: fc.constantFrom('{"type":"read","seq":NaN}', "{", "", "null", "[]", '"message"'), weight: 1 },
);

/** Bytes that are not UTF-8: lone continuation bytes, overlong forms, surrogates, 0xFF. */
export const invalidUtf8: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]),
    fc.string({ maxLength: 20 }),
  )
  .map(([bad, text]) => {
    const prefix = new TextEncoder().encode(`{"type":"message","content":"${text.replace(/["\\]/g, "")}`);
    return new Uint8Array([...prefix, ...bad, 0x22, 0x7d]);
  });
