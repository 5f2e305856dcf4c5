import type { Socket } from "node:net";
import { channels } from "@chat/bus";
import type { StreamChunkFrame } from "@chat/protocol";
import { CloseCode } from "@chat/protocol";
import { describe, expect, it } from "vitest";
import { openSocket, startStack, type TestStack } from "../src";

const rawSocket = (ws: unknown) => (ws as { _socket: Socket })._socket;

function chunk(sessionId: string, index: number, content: string): string {
  const frame: StreamChunkFrame = {
    type: "stream_chunk",
    session_id: sessionId,
    message_id: "msg_flood",
    content,
    index,
    attempt: 1,
  };
  return JSON.stringify(frame);
}

/** Publishes `count` chunks, sampling the edge's held bytes as it goes; resolves the largest sample. */
async function flood(stack: TestStack, sessionId: string, count: number, size: number): Promise<number> {
  let largest = 0;
  const sample = setInterval(() => {
    largest = Math.max(largest, stack.edges[0]?.edge.bufferedBytes() ?? 0);
  }, 1);
  try {
    for (let i = 0; i < count; i += 50) {
      const group = Array.from({ length: Math.min(50, count - i) }, (_, k) => i + k);
      await Promise.all(
        group.map((n) =>
          stack.bus.pubsub.publish(channels.session(sessionId), chunk(sessionId, n, String(n % 10).repeat(size))),
        ),
      );
      largest = Math.max(largest, stack.edges[0]?.edge.bufferedBytes() ?? 0);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    clearInterval(sample);
  }
  return largest;
}

describe("a slow reader", () => {
  it("cannot grow the edge's memory past the hard limit: it is closed with 4429", async () => {
    const hard = 512 << 10;
    await using stack = await startStack({
      worker: false,
      edgeOptions: { softBufferLimit: 64 << 10, hardBufferLimit: hard },
    });
    await using reader = openSocket(stack.wsUrl("slow", await stack.token("alice")));
    await reader.next("ready");
    rawSocket(reader.ws).pause();
    // 24 MiB: far more than the kernel's socket buffers on both sides can absorb.
    const largest = await flood(stack, "slow", 1_500, 16 << 10);
    expect(largest).toBeLessThanOrEqual(hard + (32 << 10));
    rawSocket(reader.ws).resume();
    // 4429 when the reader resumes within the closing handshake's 2 s; a reader stalled for
    // longer is cut off (1006). Either way the edge let go of it and of its bytes.
    const { code } = await reader.closed;
    expect([CloseCode.TooMany, 1006]).toContain(code);
    await expect.poll(() => stack.edges[0]?.edge.connectionCount()).toBe(0);
    expect(stack.edges[0]?.edge.bufferedBytes()).toBe(0);
  });

  it("gets the chunks of a stream merged while it is behind, and no typing, with the text intact", async () => {
    await using stack = await startStack({
      worker: false,
      edgeOptions: { softBufferLimit: 16 << 10, hardBufferLimit: 256 << 20 },
    });
    const { body } = await stack.request("alice", "POST", "/api/chat/sessions", {});
    const sessionId: string = body.session_id;
    await stack.repo.addParticipant(sessionId, "bob", "member");
    await using reader = openSocket(stack.wsUrl(sessionId, await stack.token("alice")));
    await using typist = openSocket(stack.wsUrl(sessionId, await stack.token("bob")));
    await Promise.all([reader.next("ready"), typist.next("ready")]);
    rawSocket(reader.ws).pause();
    const count = 1_000;
    let expected = "";
    for (let i = 0; i < count; i++) {
      const content = `${i % 10}`.repeat(8 << 10);
      expected += content;
      await stack.bus.pubsub.publish(channels.session(sessionId), chunk(sessionId, i, content));
      if (i === count / 2) {
        await expect.poll(() => stack.edges[0]?.edge.bufferedBytes() ?? 0).toBeGreaterThan(16 << 10);
        typist.send({ type: "typing", is_typing: true });
        typist.send({ type: "ping" });
        await typist.next("pong");
      }
    }
    await stack.bus.pubsub.publish(
      channels.session(sessionId),
      JSON.stringify({
        type: "stream_end",
        session_id: sessionId,
        message_id: "msg_flood",
        tokens_used: null,
        latency_ms: null,
        finish_reason: "stop",
      }),
    );
    rawSocket(reader.ws).resume();
    await reader.next("stream_end", undefined, 20_000);
    const chunks = reader.frames.flatMap((f) => (f.type === "stream_chunk" ? [f] : []));
    expect(chunks.length).toBeLessThan(count); // some were merged
    expect(chunks.at(-1)?.index).toBe(count - 1);
    const indexes = chunks.map((c) => c.index);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(new Set(indexes).size).toBe(indexes.length);
    expect(chunks.map((c) => c.content).join("")).toBe(expected);
    expect(reader.frames.some((f) => f.type === "typing")).toBe(false);
  });
});
