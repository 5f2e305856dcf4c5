import { describe, expect, it } from "vitest";
import { parseSse, type SseMessage } from "./sse";

function body(...pieces: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
}

async function all(stream: ReadableStream<Uint8Array>): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const message of parseSse(stream)) out.push(message);
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
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 8));
        controller.enqueue(bytes.slice(8));
        controller.close();
      },
    });
    expect(await all(stream)).toEqual([{ event: "message", data: "안녕" }]);
  });

  it("refuses an event larger than the limit", async () => {
    await expect(
      (async () => {
        for await (const _ of parseSse(body(`data: ${"x".repeat(100)}\n\n`), 10));
      })(),
    ).rejects.toThrow(/too large/);
  });
});
