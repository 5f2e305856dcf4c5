import { describe, expect, it } from "vitest";
import { parseClientFrame } from "../src";

function errorOf(raw: string | Uint8Array) {
  const result = parseClientFrame(raw);
  if (result.ok) throw new Error(`expected an error for ${String(raw)}`);
  return result.error;
}

describe("parseClientFrame", () => {
  it("parses the spec's text message frame", () => {
    const result = parseClientFrame(
      JSON.stringify({ type: "message", content: "안녕하세요", timestamp: "2025-10-29T10:30:00Z" }),
    );
    expect(result).toEqual({
      ok: true,
      value: { type: "message", content: "안녕하세요", timestamp: "2025-10-29T10:30:00Z" },
    });
  });

  it("parses typing, file, cancel, sync, read and ping frames", () => {
    const frames = [
      { type: "typing", is_typing: true },
      { type: "file", file_id: "file_001", message: "이미지를 확인해주세요" },
      { type: "cancel", message_id: "msg_1" },
      { type: "sync", since_seq: 12 },
      { type: "read", seq: 3 },
      { type: "ping" },
    ];
    for (const frame of frames) {
      expect(parseClientFrame(JSON.stringify(frame))).toEqual({ ok: true, value: frame });
    }
  });

  it("accepts bytes as UTF-8", () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ type: "typing", is_typing: false }));
    expect(parseClientFrame(bytes).ok).toBe(true);
  });

  it("strips unknown fields instead of passing them on", () => {
    const result = parseClientFrame(JSON.stringify({ type: "typing", is_typing: true, evil: "<script>" }));
    expect(result).toEqual({ ok: true, value: { type: "typing", is_typing: true } });
  });

  it("reports malformed JSON as INVALID_JSON", () => {
    expect(errorOf("{not json").code).toBe("INVALID_JSON");
  });

  it("reports invalid UTF-8 as INVALID_JSON", () => {
    expect(errorOf(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])).message).toMatch(/UTF-8/);
  });

  it("reports non-objects and missing type as BAD_REQUEST", () => {
    expect(errorOf("[1,2]").code).toBe("BAD_REQUEST");
    expect(errorOf("null").code).toBe("BAD_REQUEST");
    expect(errorOf('"message"').code).toBe("BAD_REQUEST");
    expect(errorOf('{"content":"hi"}').code).toBe("BAD_REQUEST");
  });

  it("reports an unknown type as UNKNOWN_TYPE", () => {
    const error = errorOf('{"type":"stream_start","message_id":"x"}');
    expect(error.code).toBe("UNKNOWN_TYPE");
    expect(error.message).toContain("stream_start");
  });

  it("names the bad field in VALIDATION_ERROR", () => {
    const error = errorOf('{"type":"message","content":42}');
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.details?.[0]?.path).toBe("content");
    expect(errorOf('{"type":"message","content":"   "}').details?.[0]?.message).toMatch(/empty/);
    expect(errorOf('{"type":"sync","since_seq":-1}').details?.[0]?.path).toBe("since_seq");
    expect(errorOf('{"type":"message","content":"x","client_msg_id":"a b"}').details?.[0]?.path).toBe("client_msg_id");
  });

  it("rejects content over the maximum length", () => {
    const error = errorOf(JSON.stringify({ type: "message", content: "a".repeat(32_001) }));
    expect(error.code).toBe("VALIDATION_ERROR");
  });

  it("never throws on hostile input", () => {
    const inputs = ["", "1e999999", "{".repeat(10_000), '{"type":{"toString":1}}', '{"__proto__":{"type":"x"}}'];
    for (const input of inputs) expect(() => parseClientFrame(input)).not.toThrow();
  });
});
