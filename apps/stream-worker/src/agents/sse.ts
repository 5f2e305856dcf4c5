import { StringDecoder } from "node:string_decoder";
import { createParser, type ParseError } from "eventsource-parser";

/** One Server-Sent Event: its `event:` name (default "message") and joined `data:` lines. */
export interface SseMessage {
  event: string;
  data: string;
}

/** Events parsed but not yet taken past which the source is asked to pause. */
const HIGH_WATER = 256;

/**
 * A text/event-stream body, fed to it as it arrives (`push`, then `end` or `fail`), parsed by
 * eventsource-parser as the HTML spec says (LF, CRLF or CR line ends, `data:` lines of one
 * event joined with "\n", comments skipped, an event ended by a blank line; an unfinished one
 * at the end is dropped), and read by one consumer with `for await`. `maxBufferChars` bounds
 * what is held between pushes (an unfinished line or event) against a server that never ends
 * one. Callbacks in, async iteration out, without a node stream between: a model sends hundreds
 * of tiny events a second per reply, and a stream's buffering and promises per read cost more
 * than the parsing.
 */
export class SseEvents implements AsyncIterable<SseMessage> {
  private ready: SseMessage[] = [];
  /** Index of the next event of `ready` to hand out. */
  private taken = 0;
  private failure: unknown;
  private ended = false;
  private paused = false;
  /** The reader's pending `next()`, while nothing was ready. */
  private waiting:
    | { resolve: (result: IteratorResult<SseMessage>) => void; reject: (error: unknown) => void }
    | undefined;
  private readonly decoder = new StringDecoder("utf8");
  private readonly parser;

  /** `flow(false)`: stop reading, too many events wait; `flow(true)`: go on. */
  constructor(
    private readonly flow: (go: boolean) => void = () => {},
    maxBufferChars = 1_048_576,
  ) {
    this.parser = createParser({
      maxBufferSize: maxBufferChars,
      onEvent: ({ event, data }) => void this.ready.push({ event: event ?? "message", data }),
      onError: (error: ParseError) => {
        // Unknown fields and bad `retry:` values are ignored, as browsers do.
        if (error.type === "max-buffer-size-exceeded") this.fail(new Error("SSE event too large", { cause: error }));
      },
    });
  }

  /** More of the body. */
  push(bytes: Uint8Array): void {
    if (this.failure !== undefined || this.ended) return;
    // The decoder joins a multi-byte character split across pushes.
    this.parser.feed(this.decoder.write(bytes as Buffer));
    if (!this.paused && this.ready.length - this.taken >= HIGH_WATER) {
      this.paused = true;
      this.flow(false);
    }
    this.settle();
  }

  /** The body ended: the reader gets what is parsed, then the end. */
  end(): void {
    this.ended = true;
    this.settle();
  }

  /** The body failed: the reader gets what is parsed, then `error`. */
  fail(error: unknown): void {
    this.failure ??= error;
    this.settle();
  }

  /**
   * A plain iterator rather than an async generator: an event that is ready is handed out
   * with one resolved promise, where a generator's `yield` adds an await and a resumption per
   * event (a model sends hundreds a second per reply).
   */
  [Symbol.asyncIterator](): AsyncIterator<SseMessage> {
    return {
      next: () =>
        new Promise<IteratorResult<SseMessage>>((resolve, reject) => {
          this.waiting = { resolve, reject };
          this.settle();
        }),
      return: () => {
        this.waiting = undefined;
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  /** Answer the pending `next()` if there is something to answer it with. */
  private settle(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    if (this.taken < this.ready.length) {
      this.waiting = undefined;
      const value = this.ready[this.taken] as SseMessage;
      this.taken += 1;
      if (this.taken === this.ready.length) {
        this.ready = [];
        this.taken = 0;
        if (this.paused) {
          this.paused = false;
          this.flow(true);
        }
      }
      waiting.resolve({ done: false, value });
    } else if (this.failure !== undefined) {
      this.waiting = undefined;
      waiting.reject(this.failure);
    } else if (this.ended) {
      this.waiting = undefined;
      waiting.resolve({ done: true, value: undefined });
    }
  }
}
