import { demoReplyText } from "@chat/stream-worker";
import { describe, expect, it } from "vitest";
import { openSocket, startStack } from "../src";

describe("recovery after a disconnect", () => {
  it("replays 200 messages sent while away, then continues live: no gap, no duplicate, in order", async () => {
    await using stack = await startStack({ edges: 2, worker: false });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const sessionId: string = body.session_id;
    await stack.repo.addParticipant(sessionId, "bob", "member");
    await using alice = openSocket(stack.wsUrl(sessionId, await stack.token("alice"), 0));
    const bobToken = await stack.token("bob");
    const bob = openSocket(stack.wsUrl(sessionId, bobToken, 1));
    await Promise.all([alice.next("ready"), bob.next("ready")]);
    alice.send({ type: "message", content: "before" });
    await bob.next("message", (f) => f.seq === 1);
    await bob.close();

    for (let i = 0; i < 200; i++) alice.send({ type: "message", content: `away ${i}`, client_msg_id: `away-${i}` });
    await alice.next("message", (f) => f.seq === 201, 15_000);

    // Back on the other edge, while alice keeps talking.
    await using again = openSocket(stack.wsUrl(sessionId, bobToken, 0, { since_seq: "1" }));
    for (let i = 0; i < 20; i++) alice.send({ type: "message", content: `live ${i}` });
    await again.next("message", (f) => f.seq === 221, 15_000);
    const seqs = again.frames.flatMap((f) => (f.type === "message" ? [f.seq] : []));
    expect(seqs).toEqual(Array.from({ length: 220 }, (_, i) => i + 2));
    expect(again.frames[0]?.type).toBe("ready");
  });

  it("replays a reply that is still streaming from its chunk buffer, then continues live", async () => {
    await using stack = await startStack({ chunkSize: 1, delayMs: 25 });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", { agent_id: 1 });
    const sessionId: string = body.session_id;
    const token = await stack.token("alice");
    const first = openSocket(stack.wsUrl(sessionId, token));
    await first.next("ready");
    first.send({ type: "message", content: "tell me something" });
    const start = await first.next("stream_start");
    await first.next("stream_chunk", (f) => f.index >= 5);
    await first.close();

    await using again = openSocket(stack.wsUrl(sessionId, token, 0, { since_seq: String(start.seq - 1) }));
    const row = await again.next("message", (f) => f.message_id === start.message_id);
    expect(row.status).toBe("streaming");
    const end = await again.next("stream_end", (f) => f.message_id === start.message_id, 15_000);
    expect(end.finish_reason).toBe("stop");
    const chunks = again.frames.flatMap((f) => (f.type === "stream_chunk" ? [f] : []));
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    expect(chunks.map((c) => c.content).join("")).toBe(demoReplyText("tell me something"));
  });
});
