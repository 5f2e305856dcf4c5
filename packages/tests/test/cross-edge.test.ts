import { describe, expect, it } from "vitest";
import { openSocket, startStack } from "../src";

describe("fan-out across edges", () => {
  it("delivers a message sent on one edge to a participant on another", async () => {
    await using stack = await startStack({ edges: 2, worker: false });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", { title: "two edges" });
    await stack.repo.addParticipant(body.session_id, "bob", "member");

    await using alice = openSocket(stack.wsUrl(body.session_id, await stack.token("alice"), 0));
    await using bob = openSocket(stack.wsUrl(body.session_id, await stack.token("bob"), 1));
    await Promise.all([alice.next("ready"), bob.next("ready")]);

    alice.send({ type: "message", content: "hello from edge 0" });
    await expect(bob.next("message")).resolves.toMatchObject({ sender_id: "alice", content: "hello from edge 0" });
    bob.send({ type: "message", content: "hello back from edge 1" });
    await expect(alice.next("message", (f) => f.sender_id === "bob")).resolves.toMatchObject({ seq: 2 });

    // Typing reaches the other user, not the typist's own sockets.
    bob.send({ type: "typing", is_typing: true });
    await expect(alice.next("typing")).resolves.toMatchObject({ user_id: "bob", is_typing: true });
    bob.send({ type: "ping" });
    await bob.next("pong");
    expect(bob.frames.some((f) => f.type === "typing")).toBe(false);
  });

  it("replays everything after since_seq on reconnect, then continues live, without duplicates", async () => {
    await using stack = await startStack({ edges: 2, worker: false });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const sessionId: string = body.session_id;
    await stack.repo.addParticipant(sessionId, "bob", "member");
    for (let i = 1; i <= 30; i++) {
      await stack.request("alice", "POST", `/api/chat/sessions/${sessionId}/messages`, { content: `m${i}` });
    }
    await using bob = openSocket(stack.wsUrl(sessionId, await stack.token("bob"), 1, { since_seq: "10" }));
    await bob.next("ready");
    await stack.request("alice", "POST", `/api/chat/sessions/${sessionId}/messages`, { content: "m31" });
    await bob.next("message", (f) => f.seq === 31);
    const seqs = bob.frames.flatMap((f) => (f.type === "message" ? [f.seq] : []));
    expect(seqs).toEqual(Array.from({ length: 21 }, (_, i) => i + 11));
  });

  it("replays a reply that finished while the client was away, with its full text", async () => {
    await using stack = await startStack({ delayMs: 1 });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", { agent_id: 1 });
    const sessionId: string = body.session_id;
    const token = await stack.token("alice");
    const first = openSocket(stack.wsUrl(sessionId, token));
    await first.next("ready");
    first.send({ type: "message", content: "question" });
    const start = await first.next("stream_start");
    await first.close(); // gone before the reply ends
    await expect.poll(async () => (await stack.repo.getMessage(start.message_id))?.status).toBe("complete");

    await using again = openSocket(stack.wsUrl(sessionId, token, 0, { since_seq: String(start.seq) }));
    const replayed = await again.next("message", (f) => f.message_id === start.message_id);
    expect(replayed).toMatchObject({ status: "complete", seq: 2, event_seq: 3 });
    expect(replayed.content).toMatch(/^You said: "question"/);
  });
});
