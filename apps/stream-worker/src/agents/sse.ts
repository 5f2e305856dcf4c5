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
  private failure: unknown;
  private ended = false;
  private wake: (() => void) | undefined;
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
    if (this.ready.length >= HIGH_WATER) this.flow(false);
    this.wake?.();
  }

  /** The body ended: the consumer gets what is parsed, then the end. */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  /** The body failed: the consumer gets what is parsed, then `error`. */
  fail(error: unknown): void {
    this.failure ??= error;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SseMessage, void, undefined> {
    for (;;) {
      if (this.ready.length > 0) {
        const events = this.ready;
        this.ready = [];
        if (events.length >= HIGH_WATER) this.flow(true);
        yield* events;
      } else if (this.failure !== undefined) {
        throw this.failure;
      } else if (this.ended) {
        return;
      } else {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
      }
    }
  }
}
