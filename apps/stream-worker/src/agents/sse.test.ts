import { describe, expect, it } from "vitest";
import { SseEvents, type SseMessage } from "./sse";

/** Feeds `pieces` (each one read) on later ticks, then ends, and collects what the reader gets. */
async function all(events: SseEvents, ...pieces: (string | Uint8Array)[]): Promise<SseMessage[]> {
  void (async () => {
    for (const piece of pieces) {
      await new Promise((resolve) => setImmediate(resolve));
      events.push(typeof piece === "string" ? Buffer.from(piece) : piece);
    }
    events.end();
  })();
  const out: SseMessage[] = [];
  for await (const message of events) out.push(message);
  return out;
}

describe("SseEvents", () => {
  it("handles LF, CRLF and CR, comments, multi-line data and events split anywhere", async () => {
    const messages = await all(
      new SseEvents(),
      ": keep-alive\n\nda",
      'ta: {"a":1}\r',
      "\n\r\nevent: err",
      "or\ndata: one\ndata: two\n\ndata:x\r\rdata: [DONE]\n\n",
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
    expect(await all(new SseEvents(), bytes.slice(0, 8), bytes.slice(8))).toEqual([{ event: "message", data: "안녕" }]);
  });

  it("drops an event the body ends in the middle of", async () => {
    expect(await all(new SseEvents(), "data: whole\n\ndata: cut")).toEqual([{ event: "message", data: "whole" }]);
  });

  it("refuses an event that keeps growing past the limit without ending", async () => {
    const growing = all(new SseEvents(undefined, 16), "data: 12345\n", "data: 67890\n", "data: abcde\n");
    await expect(growing).rejects.toThrow(/too large/);
    const longLine = all(new SseEvents(undefined, 16), `data: ${"x".repeat(10)}`, "x".repeat(10));
    await expect(longLine).rejects.toThrow(/too large/);
  });

  it("hands over what was parsed before a failure, then the failure", async () => {
    const events = new SseEvents();
    events.push(Buffer.from("data: a\n\ndata: b\n\n"));
    events.fail(new Error("socket hang up"));
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const message of events) got.push(message.data);
      })(),
    ).rejects.toThrow("socket hang up");
    expect(got).toEqual(["a", "b"]);
  });

  it("asks the source to pause while many events wait, and to go on once they are taken", async () => {
    const flow: boolean[] = [];
    const events = new SseEvents((go) => flow.push(go));
    events.push(Buffer.from("data: x\n\n".repeat(300)));
    expect(flow).toEqual([false]);
    events.end();
    let count = 0;
    for await (const _ of events) count += 1;
    expect(count).toBe(300);
    expect(flow).toEqual([false, true]);
  });
});
