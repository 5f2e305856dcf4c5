import type { StreamChunkFrame } from "@chat/protocol";
import { describe, expect, it } from "vitest";
import { Outbox } from "./outbox";

const chunk = (index: number, content: string, messageId = "m1"): StreamChunkFrame => ({
  type: "stream_chunk",
  session_id: "s1",
  message_id: messageId,
  content,
  index,
  attempt: 1,
});

describe("Outbox", () => {
  it("merges consecutive chunks of one stream into one with the last index and the whole text", () => {
    const outbox = new Outbox();
    for (const [i, text] of ["Hel", "lo ", "wor", "ld"].entries())
      outbox.push(JSON.stringify(chunk(i, text)), chunk(i, text));
    outbox.push('{"type":"message"}', undefined);
    outbox.push(JSON.stringify(chunk(4, "!")), chunk(4, "!"));
    outbox.push(JSON.stringify(chunk(0, "other", "m2")), chunk(0, "other", "m2"));
    const sent = [];
    for (let data = outbox.shift(); data !== undefined; data = outbox.shift()) sent.push(JSON.parse(data));
    expect(sent).toEqual([chunk(3, "Hello world"), { type: "message" }, chunk(4, "!"), chunk(0, "other", "m2")]);
    expect(outbox.bytes).toBe(0);
  });
});
