import { describe, expect, it } from "vitest";
import { openSocket, startStack } from "../src";

describe("typing", () => {
  it("is throttled per user, never echoed to the typist, and expires without a refresh", async () => {
    await using stack = await startStack({ edges: 2, worker: false, edgeOptions: { typingTimeoutMs: 300 } });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const sessionId: string = body.session_id;
    await stack.repo.addParticipant(sessionId, "bob", "member");
    await using alice = openSocket(stack.wsUrl(sessionId, await stack.token("alice"), 0));
    await using bob = openSocket(stack.wsUrl(sessionId, await stack.token("bob"), 1));
    await Promise.all([alice.next("ready"), bob.next("ready")]);

    // A burst of keystrokes: one start goes out; the stop always does.
    for (let i = 0; i < 5; i++) bob.send({ type: "typing", is_typing: true });
    bob.send({ type: "typing", is_typing: false });
    await alice.next("typing", (f) => !f.is_typing);
    const seen = alice.frames.filter((f) => f.type === "typing");
    expect(seen.map((f) => f.type === "typing" && f.is_typing)).toEqual([true, false]);

    // A typist who goes quiet is reported stopped after the timeout.
    bob.send({ type: "typing", is_typing: true });
    await expect.poll(() => alice.frames.filter((f) => f.type === "typing").length).toBe(4);
    expect(alice.frames.filter((f) => f.type === "typing").map((f) => f.type === "typing" && f.is_typing)).toEqual([
      true,
      false,
      true,
      false,
    ]);
    bob.send({ type: "ping" });
    await bob.next("pong");
    expect(bob.frames.some((f) => f.type === "typing")).toBe(false);
  });
});
