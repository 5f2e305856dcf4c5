import { CloseCode, type ErrorFrame, findUnstorable, isErrorCode, parseClientFrame } from "@chat/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  exchange,
  type FrameInput,
  hostileFrameText,
  invalidUtf8,
  jsonText,
  memoryGrowthMb,
  openSocket,
  reportSuiteFigure,
  settledMemory,
  uniqueUser,
  useStack,
  validFrame,
} from "../src";

// Issue 9: hostile frames against a running edge. Every bad frame gets the error the protocol's
// parser names (the parser itself is fuzzed in packages/protocol), valid ones never an INTERNAL
// one, the connection keeps working, and nothing that was refused is stored.
// The invalid-frame strike limit is raised: this campaign wants every answer, not the 4400.
const stack = useStack({ worker: false, edgeOptions: { maxInvalidFramesPerMinute: 1_000_000 } });

const MAX_PAYLOAD = 65_536;
const encoder = new TextEncoder();
/** What the edge receives: text goes over the wire as UTF-8 (lone surrogates become U+FFFD). */
const bytesOf = (input: FrameInput) => (typeof input === "string" ? encoder.encode(input) : input);

/** Errors a valid frame may get from the service (an unknown file or message id). */
const ALLOWED_FOR_VALID: Record<string, readonly string[]> = { file: ["NOT_FOUND"], cancel: ["NOT_FOUND"] };

function checkAnswer(input: FrameInput, errors: ErrorFrame[], accepted: Set<string>): void {
  for (const error of errors) {
    expect(isErrorCode(error.code)).toBe(true);
    expect(error.code).not.toBe("INTERNAL");
    expect(error.message.length).toBeGreaterThan(0);
  }
  const expected = parseClientFrame(bytesOf(input));
  if (!expected.ok) {
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: expected.error.code, message: expected.error.message });
    // A validation error names the field in its message and its details.
    if (expected.error.details) {
      const [first] = expected.error.details;
      expect(errors[0]?.details?.[0]?.path).toBe(first?.path);
      expect(errors[0]?.message).toContain(first?.path);
    }
    return;
  }
  const allowed = ALLOWED_FOR_VALID[expected.value.type] ?? [];
  for (const error of errors) expect(allowed).toContain(error.code);
  if (expected.value.type === "message") accepted.add(expected.value.content);
}

const pongsFor = (inputs: readonly FrameInput[]) => (i: number) => {
  const input = inputs[i];
  if (input === undefined) return 0;
  const parsed = parseClientFrame(bytesOf(input));
  return parsed.ok && parsed.value.type === "ping" ? 1 : 0;
};

describe("fuzzing WebSocket frames against a running edge", () => {
  it("answers every mutated text and binary frame with the parser's error and keeps the connection", async () => {
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const user = uniqueUser("fuzz");
    const sessionId = `fuzz-ws-${user}`;
    await using socket = openSocket(stack().wsUrl(sessionId, await stack().token(user)));
    await socket.next("ready");
    // A second tab of the same user: it must see the accepted messages and nothing else.
    await using observer = openSocket(stack().wsUrl(sessionId, await stack().token(user)));
    await observer.next("ready");

    const texts = fc.sample(hostileFrameText, { numRuns: 1_200, seed: 9 });
    const binaries: FrameInput[] = [
      ...fc.sample(
        validFrame.map((f) => encoder.encode(jsonText(f))),
        { numRuns: 100, seed: 9 },
      ),
      ...fc.sample(invalidUtf8, { numRuns: 100, seed: 9 }),
      ...fc.sample(fc.uint8Array({ maxLength: 64 }), { numRuns: 100, seed: 9 }),
    ];
    const inputs = [...texts, ...binaries].filter((input) => bytesOf(input).byteLength < MAX_PAYLOAD);
    const accepted = new Set<string>();
    const memoryBefore = settledMemory();
    let errors = 0;
    let serverErrors = 0;
    // Batches: a failing check names a small window of inputs, and the edge's queue stays short.
    for (let at = 0; at < inputs.length; at += 300) {
      const batch = inputs.slice(at, at + 300);
      const answers = await exchange(socket, batch, pongsFor(batch));
      batch.forEach((input, i) => {
        const answer = answers[i] ?? [];
        errors += answer.length;
        serverErrors += answer.filter((e) => e.code === "INTERNAL").length;
        try {
          checkAnswer(input, answer, accepted);
        } catch (failure) {
          throw new Error(`input ${JSON.stringify(typeof input === "string" ? input.slice(0, 300) : [...input])}`, {
            cause: failure,
          });
        }
      });
    }

    // Good frames still work on the same connection.
    socket.send({ type: "message", content: "still here", client_msg_id: "after-fuzz" });
    await expect(socket.next("message", (m) => m.client_msg_id === "after-fuzz")).resolves.toMatchObject({
      content: "still here",
    });
    accepted.add("still here");

    // Nothing refused was stored, and what was stored is clean.
    const stored = await stack().repo.messagesSince(sessionId, 0, 10_000);
    for (const row of stored) {
      expect(accepted).toContain(row.content);
      expect(findUnstorable({ content: row.content, metadata: row.metadata })).toBeUndefined();
    }
    expect(stored.length).toBeGreaterThan(0);
    await observer.next("message", (m) => m.client_msg_id === "after-fuzz");
    const seen = observer.frames.flatMap((f) => (f.type === "message" ? [f.content] : []));
    expect(new Set(seen)).toEqual(new Set(stored.map((row) => row.content)));
    expect(observer.frames.filter((f) => f.type === "error")).toEqual([]);
    // No frame reached Object.prototype (`__proto__` and `constructor` keys).
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    reportSuiteFigure({
      section: "fuzz",
      name: "WS frames (mutated text + binary)",
      figures: {
        inputs: inputs.length,
        error_frames: errors,
        stored: stored.length,
        crashes: 0,
        server_errors: serverErrors,
        // This process: the edge, and the clients with their inputs (RSS keeps their peak).
        ...memoryGrowthMb(memoryBefore, settledMemory()),
      },
    });
  });

  it("closes a text frame of invalid UTF-8 with 1007 and serves the next connection", async () => {
    const user = uniqueUser("fuzz");
    const url = stack().wsUrl(`fuzz-utf8-${user}`, await stack().token(user));
    const samples = fc.sample(invalidUtf8, { numRuns: 6, seed: 9 });
    for (const bytes of samples) {
      await using socket = openSocket(url);
      await socket.next("ready");
      socket.ws.send(bytes, { binary: false });
      await expect(socket.closed).resolves.toMatchObject({ code: 1007 });
    }
    await using socket = openSocket(url);
    await socket.next("ready");
    socket.send({ type: "message", content: "fine", client_msg_id: "after-utf8" });
    await expect(socket.next("message")).resolves.toMatchObject({ content: "fine" });
    reportSuiteFigure({
      section: "fuzz",
      name: "WS text frames of invalid UTF-8",
      figures: { inputs: samples.length, closed_1007: samples.length, crashes: 0, server_errors: 0 },
    });
  });

  it("closes an oversize frame, text or binary, with 1009", async () => {
    const user = uniqueUser("fuzz");
    const url = stack().wsUrl(`fuzz-big-${user}`, await stack().token(user));
    const big = [
      jsonText({ type: "message", content: "x".repeat(MAX_PAYLOAD) }),
      `${"[".repeat(40_000)}${"]".repeat(40_000)}`,
      encoder.encode(jsonText({ type: "message", content: "y".repeat(MAX_PAYLOAD) })),
    ];
    for (const input of big) {
      await using socket = openSocket(url);
      await socket.next("ready");
      socket.ws.send(input, { binary: typeof input !== "string" });
      await expect(socket.closed).resolves.toMatchObject({ code: CloseCode.MessageTooBig });
    }
    await using socket = openSocket(url);
    await socket.next("ready");
    socket.send({ type: "ping" });
    await socket.next("pong");
    reportSuiteFigure({
      section: "fuzz",
      name: "WS oversize frames",
      figures: { inputs: big.length, closed_1009: big.length, crashes: 0, server_errors: 0 },
    });
  });
});
