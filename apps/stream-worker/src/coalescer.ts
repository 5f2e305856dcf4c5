export interface CoalescerOptions {
  /** Text pending this long since the last flush is sent. @default 4 */
  windowMs?: number;
  /** Text pending past this many UTF-16 units is sent at once. @default 512 */
  maxChars?: number;
}

/**
 * Merges tiny upstream tokens into chunks, so a fast model does not cost one publish (and one
 * frame per client) per token. Leading edge: text arriving after a quiet `windowMs` goes out at
 * once (no added latency at human-visible rates); text arriving faster is held until the
 * window since the last flush ends, or until `maxChars` is pending. Flushes run one at a time,
 * in order; the first flush error is rethrown by `push`/`finish`.
 */
export class Coalescer {
  private pending = "";
  private lastFlush = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private readonly windowMs: number;
  private readonly maxChars: number;

  constructor(
    private readonly send: (text: string) => Promise<unknown>,
    options: CoalescerOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 4;
    this.maxChars = options.maxChars ?? 512;
  }

  push(text: string): void {
    if (this.failure !== undefined) throw this.failure;
    this.pending += text;
    const wait = this.lastFlush + this.windowMs - performance.now();
    if (wait <= 0 || this.pending.length >= this.maxChars) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  }

  /** Send what is pending and wait for every send. */
  async finish(): Promise<void> {
    this.flush();
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Drop pending text and stop the timer (the reply ended without success). */
  discard(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = "";
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === "") return;
    const text = this.pending;
    this.pending = "";
    this.lastFlush = performance.now();
    this.chain = this.chain.then(() =>
      this.failure === undefined
        ? this.send(text).then(
            () => undefined,
            (error: unknown) => {
              this.failure = error;
            },
          )
        : undefined,
    );
  }
}
