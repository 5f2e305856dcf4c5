import type { ServerFrame } from "@chat/protocol";
import WebSocket from "ws";

/**
 * The bench's clock, in the upstream's process (emit times) and the clients' (receive times): the
 * wall clock at microsecond precision. Two processes of one machine agree on it within 0.05 ms
 * (measured over IPC round trips), far below the figures it measures.
 */
export const now = () => performance.timeOrigin + performance.now();

/** What one turn (one user message and its streamed reply) measured. */
export interface Turn {
  /** Upstream emit → client receive, per token. */
  added: number[];
  /** Client TTFT (send → first token) minus upstream TTFT (request arrival → first token emit). */
  ttftOverhead: number | undefined;
  /** Send → the stored user message comes back. */
  echo: number | undefined;
  /** Send → stream_start. */
  start: number | undefined;
  chunks: number;
}

const TOKEN = /<([\d.]+),([\d.]+)>/g;

/**
 * One WebSocket client of the bench: sends a message and records its reply's timings. A plain
 * `ws` socket whose frames are parsed once, so that 200 of them take as little of their
 * process's event loop as they can.
 */
export class StreamClient {
  readonly #ws: WebSocket;
  #turn: Turn | undefined;
  #sentAt = 0;
  #ended: (() => void) | undefined;
  readonly ready: Promise<void>;

  constructor(url: string) {
    this.#ws = new WebSocket(url);
    this.ready = new Promise((resolve, reject) => {
      this.#ws.once("error", reject);
      this.#ws.once("close", (code) => reject(new Error(`closed with ${code} before ready`)));
      this.#ws.on("message", (data: Buffer) => {
        const receivedAt = now();
        const frame = JSON.parse(data.toString()) as ServerFrame;
        if (frame.type === "ready") resolve();
        else this.#record(frame, receivedAt);
      });
    });
  }

  /** Send one message; resolves with the reply's timings at its stream_end. */
  turn(): Promise<Turn> {
    const turn: Turn = { added: [], ttftOverhead: undefined, echo: undefined, start: undefined, chunks: 0 };
    this.#turn = turn;
    const ended = new Promise<void>((resolve) => {
      this.#ended = resolve;
    });
    this.#sentAt = now();
    this.#ws.send(JSON.stringify({ type: "message", content: "go" }));
    return ended.then(() => turn);
  }

  close(): void {
    this.#ws.close();
  }

  #record(frame: ServerFrame, receivedAt: number): void {
    const turn = this.#turn;
    if (!turn) return;
    const since = receivedAt - this.#sentAt;
    if (frame.type === "message") turn.echo ??= since;
    else if (frame.type === "stream_start") turn.start ??= since;
    else if (frame.type === "stream_chunk") {
      turn.chunks += 1;
      for (const [, arrival, emit] of frame.content.matchAll(TOKEN)) {
        const emittedAt = Number(emit);
        turn.ttftOverhead ??= since - (emittedAt - Number(arrival));
        turn.added.push(receivedAt - emittedAt);
      }
    } else if (frame.type === "stream_end") {
      this.#turn = undefined;
      this.#ended?.();
    }
  }
}
