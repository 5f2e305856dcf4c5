/** Typing-indicator timing. */
export interface TypingOptions {
  /** At most one "typing" frame per this many ms while the user keeps typing. @default 3_000 */
  throttleMs?: number;
  /** Send "stopped typing" after this many ms without a keystroke. @default 4_000 */
  idleMs?: number;
}

/**
 * Turns keystrokes into few frames: `is_typing: true` at the first keystroke and then at most
 * every `throttleMs` (receivers expire a typing state that is not refreshed), `false` once the
 * user pauses for `idleMs` or sends.
 */
export class TypingNotifier {
  #lastStart = 0;
  #typing = false;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #throttleMs: number;
  readonly #idleMs: number;

  constructor(
    private readonly send: (isTyping: boolean) => void,
    options: TypingOptions = {},
  ) {
    this.#throttleMs = options.throttleMs ?? 3_000;
    this.#idleMs = options.idleMs ?? 4_000;
  }

  /** Call on every keystroke. */
  keystroke(now = Date.now()): void {
    if (!this.#typing || now - this.#lastStart >= this.#throttleMs) {
      this.#typing = true;
      this.#lastStart = now;
      this.send(true);
    }
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.stop(), this.#idleMs);
  }

  /** The user sent or cleared the input. */
  stop(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    if (!this.#typing) return;
    this.#typing = false;
    this.send(false);
  }
}
