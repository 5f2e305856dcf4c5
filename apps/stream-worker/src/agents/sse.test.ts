import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseSse, type SseMessage } from "./sse";

/** A body that arrives in these reads (strings or raw bytes). */
const body = (...pieces: (string | Uint8Array)[]) =>
  Readable.from(
    pieces.map((piece) => Buffer.from(piece)),
    { objectMode: false },
  );

async function all(stream: Readable, maxBufferChars?: number): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const message of parseSse(stream, maxBufferChars)) out.push(message);
  return out;
}

describe("parseSse", () => {
  it("handles LF, CRLF and CR, comments, multi-line data and events split anywhere", async () => {
    const messages = await all(
      body(
        ": keep-alive\n\nda",
        'ta: {"a":1}\r',
        "\n\r\nevent: err",
        "or\ndata: one\ndata: two\n\ndata:x\r\rdata: [DONE]\n\n",
      ),
    );
    expect(messages).toEqual([
      { event: "message", data: '{"a":1}' },
      { event: "error", data: "one\ntwo" },
      { event: "message", data: "x" },
      { event: "message", data: "[DONE]" },
    ]);
  });

  it("keeps multi-byte characters split across reads", async () => {
    const bytes = new TextEncoder().encode("data: 안녕\n\n");
    expect(await all(body(bytes.slice(0, 8), bytes.slice(8)))).toEqual([{ event: "message", data: "안녕" }]);
  });

  it("drops an event the body ends in the middle of", async () => {
    expect(await all(body("data: whole\n\ndata: cut"))).toEqual([{ event: "message", data: "whole" }]);
  });

  it("refuses an event that keeps growing past the limit without ending", async () => {
    await expect(all(body("data: 12345\n", "data: 67890\n", "data: abcde\n"), 16)).rejects.toThrow(/too large/);
    await expect(all(body(`data: ${"x".repeat(10)}`, "x".repeat(10)), 16)).rejects.toThrow(/too large/);
  });
});
