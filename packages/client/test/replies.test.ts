import { expect, it } from "vitest";
import { ReplyAssembler } from "../src";

const start = (attempt: number) =>
  ({
    type: "stream_start",
    session_id: "s",
    message_id: "m",
    seq: 3,
    sender_type: "agent",
    sender_id: "1",
    attempt,
    timestamp: "",
  }) as const;
const chunk = (index: number, content: string, attempt = 1) =>
  ({ type: "stream_chunk", session_id: "s", message_id: "m", index, content, attempt }) as const;

it("grows with each chunk, skips replayed chunks and restarts on a new attempt", () => {
  const replies = new ReplyAssembler();
  replies.start(start(1));
  replies.chunk(chunk(0, "Hel"));
  replies.chunk(chunk(1, "lo"));
  expect(replies.chunk(chunk(0, "Hel"))).toBeUndefined(); // replayed after a reconnect
  expect(replies.get("m")?.text).toBe("Hello");
  replies.start(start(1)); // the same start again changes nothing
  expect(replies.get("m")?.text).toBe("Hello");
  replies.chunk(chunk(0, "Bon", 2)); // a worker took the job over
  expect(replies.get("m")).toMatchObject({ text: "Bon", attempt: 2 });
  replies.chunk(chunk(2, "late", 1));
  expect(replies.get("m")?.text).toBe("Bon");
});

it("takes the final text from the stored message", () => {
  const replies = new ReplyAssembler();
  replies.start(start(1));
  replies.chunk(chunk(0, "par"));
  const reply = replies.fromMessage({
    type: "message",
    session_id: "s",
    message_id: "m",
    seq: 3,
    event_seq: 9,
    sender_type: "agent",
    sender_id: "1",
    message_type: "stream",
    content: "partial and then complete",
    status: "complete",
    timestamp: "",
  });
  expect(reply).toMatchObject({ text: "partial and then complete", status: "complete" });
});
