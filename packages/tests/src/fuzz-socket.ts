import type { ErrorFrame } from "@chat/protocol";
import type { TestSocket } from "./ws-client";

/** One input of a WS fuzz campaign: text, or bytes sent as a binary frame. */
export type FrameInput = string | Uint8Array;

/** Resolves once `done()` holds, polling (frames arrive on the event loop). */
export async function waitUntil(done: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Sends every input followed by a `ping`, pipelined, and returns the `error` frames each input
 * caused. The edge runs one socket's frames in order and answers errors and pongs directly, so
 * the errors between two pongs belong to the input before the second. `pongsOf(i)` says how many
 * pongs input i itself asks for (1 when it is a valid `ping`).
 */
export async function exchange(
  socket: TestSocket,
  inputs: readonly FrameInput[],
  pongsOf: (index: number) => number,
): Promise<ErrorFrame[][]> {
  const start = socket.frames.length;
  let expected = 0;
  inputs.forEach((input, i) => {
    if (typeof input === "string") socket.ws.send(input);
    else socket.ws.send(input, { binary: true });
    socket.ws.send('{"type":"ping"}');
    expected += pongsOf(i) + 1;
  });
  const pongs = () => socket.frames.slice(start).filter((f) => f.type === "pong").length;
  await waitUntil(() => pongs() >= expected || socket.ws.readyState !== socket.ws.OPEN, `${expected} pongs`);
  if (pongs() < expected) throw new Error(`socket closed after ${pongs()} of ${expected} pongs`);

  const answers: ErrorFrame[][] = inputs.map(() => []);
  let index = 0;
  let owed = pongsOf(0) + 1;
  for (const frame of socket.frames.slice(start)) {
    if (frame.type === "error") answers[index]?.push(frame);
    if (frame.type !== "pong") continue;
    owed -= 1;
    if (owed === 0) {
      index += 1;
      owed = pongsOf(index) + 1;
    }
  }
  return answers;
}
