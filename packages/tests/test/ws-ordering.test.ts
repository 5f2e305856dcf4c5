import { channels } from "@chat/bus";
import { messageToFrame } from "@chat/core";
import { describe, expect, it } from "vitest";
import { openSocket, startStack } from "../src";

describe("delivery order", () => {
  it("delivers stored events in seq order when publishes arrive out of order or never", async () => {
    await using stack = await startStack({ edges: 2, worker: false, edgeOptions: { gapWaitMs: 20 } });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const sessionId: string = body.session_id;
    await using alice = openSocket(stack.wsUrl(sessionId, await stack.token("alice"), 1));
    await alice.next("ready");

    const store = async (content: string) =>
      (
        await stack.repo.appendMessage({
          sessionId,
          senderType: "user",
          senderId: "alice",
          messageType: "text",
          content,
        })
      ).message;
    const publish = (row: Awaited<ReturnType<typeof store>>) =>
      stack.bus.pubsub.publish(channels.session(sessionId), JSON.stringify(messageToFrame(row)));

    // Two edges stored 1 and 2 at once; 2's publish overtook 1's.
    const [m1, m2] = [await store("one"), await store("two")];
    await publish(m2);
    await publish(m1);
    // 3 was stored but its publish was lost (its edge died): read from PostgreSQL.
    await store("three");
    await publish(await store("four"));
    await alice.next("message", (f) => f.seq === 4);
    const got = alice.frames.flatMap((f) => (f.type === "message" ? [[f.seq, f.content]] : []));
    expect(got).toEqual([
      [1, "one"],
      [2, "two"],
      [3, "three"],
      [4, "four"],
    ]);
  });

  it("keeps each session's order with many senders on two edges", async () => {
    await using stack = await startStack({ edges: 2, worker: false });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const sessionId: string = body.session_id;
    await stack.repo.addParticipant(sessionId, "bob", "member");
    await using alice = openSocket(stack.wsUrl(sessionId, await stack.token("alice"), 0));
    await using bob = openSocket(stack.wsUrl(sessionId, await stack.token("bob"), 1));
    await Promise.all([alice.next("ready"), bob.next("ready")]);
    for (let i = 0; i < 40; i++) {
      alice.send({ type: "message", content: `a${i}` });
      bob.send({ type: "message", content: `b${i}` });
    }
    for (const socket of [alice, bob]) {
      await socket.next("message", (f) => f.seq === 80, 15_000);
      const seqs = socket.frames.flatMap((f) => (f.type === "message" ? [f.seq] : []));
      expect(seqs).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    }
  });
});
