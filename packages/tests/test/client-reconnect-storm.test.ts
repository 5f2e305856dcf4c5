import { ChatSession, type MessageFrame } from "@chat/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { type RestartableEdge, startRestartableEdge, startStack, type TestStack } from "../src";

// The SDK's delivery promise under fire: the edge closes every socket 20 times while two users
// write (half of the times by draining with 1012, half by cutting TCP), and each client still
// sees every stored message exactly once, in seq order, and every send is acknowledged.
let stack: TestStack;
let edge: RestartableEdge;

beforeAll(async () => {
  stack = await startStack({ edges: 0, worker: false });
  edge = await startRestartableEdge(stack);
});
afterAll(async () => {
  await edge?.close();
  await stack?.close();
});

const waitFor = async (check: () => boolean, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

function open(sessionId: string, userId: string) {
  const session = new ChatSession({
    url: edge.url,
    sessionId,
    token: () => stack.token(userId),
    sinceSeq: 0,
    WebSocket,
    backoff: { initialMs: 20, maxMs: 200 },
    ackTimeoutMs: 1_000,
  });
  const seen: MessageFrame[] = [];
  const closes: (number | undefined)[] = [];
  session.on("message", (frame) => seen.push(frame));
  session.on("state", ({ state, code }) => {
    if (state === "reconnecting") closes.push(code);
  });
  return { session, seen, closes };
}

it("sees every message exactly once and in order through 20 forced disconnects", async () => {
  const { session_id: sessionId } = (await stack.request("alice", "POST", "/api/chat/sessions", {})).body;
  await stack.repo.addParticipant(sessionId, "bob", "member");
  const alice = open(sessionId, "alice");
  const bob = open(sessionId, "bob");
  await waitFor(() => alice.session.state === "open" && bob.session.state === "open");

  // Both write at once: 120 from alice, 60 from bob, interleaved.
  const total = 180;
  const sends: Promise<MessageFrame>[] = [];
  const traffic = (async () => {
    for (let i = 0; i < 120; i++) {
      sends.push(alice.session.send(`alice ${i}`));
      if (i % 2 === 1) sends.push(bob.session.send(`bob ${i >> 1}`));
      await new Promise((resolve) => setTimeout(resolve, 8));
    }
  })();
  for (let round = 0; round < 20; round++) {
    // Both connected (and some traffic through) before each blow, so each one hits both.
    await waitFor(() => alice.session.state === "open" && bob.session.state === "open");
    await new Promise((resolve) => setTimeout(resolve, 30));
    const before = [alice.closes.length, bob.closes.length];
    if (round % 2 === 0) await edge.restart();
    else edge.cut();
    await waitFor(() => alice.closes.length > (before[0] ?? 0) && bob.closes.length > (before[1] ?? 0));
  }
  await traffic;
  const acks = await Promise.all(sends);
  const contents = acks.map((frame) => frame.content);
  expect(contents.filter((c) => c?.startsWith("alice"))).toEqual(Array.from({ length: 120 }, (_, i) => `alice ${i}`));
  expect(contents.filter((c) => c?.startsWith("bob"))).toEqual(Array.from({ length: 60 }, (_, i) => `bob ${i}`));

  const stored = await stack.repo.messagesSince(sessionId, 0, 1_000);
  expect(stored).toHaveLength(total); // every resend was stored once
  await waitFor(() => alice.seen.length >= total && bob.seen.length >= total);
  for (const client of [alice, bob]) {
    expect(client.seen.map((frame) => frame.message_id)).toEqual(stored.map((row) => row.messageId));
    expect(client.seen.map((frame) => frame.content)).toEqual(stored.map((row) => row.content));
    expect(client.seen.map((frame) => frame.event_seq)).toEqual(stored.map((row) => row.eventSeq));
    // 20 blows, each seen by both (plus failed attempts while the edge was down), of both kinds.
    expect(client.closes.length).toBeGreaterThanOrEqual(20);
    expect(client.closes).toContain(1012);
    expect(client.closes).toContain(1006);
  }
  alice.session.close();
  bob.session.close();
});
