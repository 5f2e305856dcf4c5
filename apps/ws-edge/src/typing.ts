import type { TypingFrame } from "@chat/protocol";

/**
 * Sender side: at most one `is_typing: true` per user per session per `intervalMs` leaves this
 * edge (a client sends one per keystroke; the others only need to know it is still going).
 * A stop always passes. Per edge: a user typing in tabs on two edges may publish twice as often.
 */
export class TypingThrottle {
  readonly #last = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  /** True when this typing event should be published. */
  admit(sessionId: string, userId: string, isTyping: boolean, now = Date.now()): boolean {
    const key = `${sessionId}\n${userId}`;
    if (!isTyping) {
      this.#last.delete(key);
      return true;
    }
    const last = this.#last.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.#last.set(key, now);
    return true;
  }

  /** Forget entries older than the interval (called on the heartbeat tick). */
  prune(now = Date.now()): void {
    for (const [key, at] of this.#last) if (now - at >= this.intervalMs) this.#last.delete(key);
  }
}

/**
 * Receiver side, per session per edge: a typist that neither refreshes nor stops within
 * `timeoutMs` (closed tab, lost network) is reported as stopped to the local sockets.
 */
export class TypingExpiry {
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly sessionId: string,
    private readonly timeoutMs: number,
    private readonly expired: (frame: TypingFrame) => void,
  ) {}

  seen(userId: string, isTyping: boolean): void {
    clearTimeout(this.#timers.get(userId));
    this.#timers.delete(userId);
    if (!isTyping) return;
    const timer = setTimeout(() => {
      this.#timers.delete(userId);
      this.expired({
        type: "typing",
        session_id: this.sessionId,
        user_id: userId,
        is_typing: false,
        timestamp: new Date().toISOString(),
      });
    }, this.timeoutMs);
    timer.unref();
    this.#timers.set(userId, timer);
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
