/** Thrown through the call's abort signal when the agent is too slow. */
export class AgentTimeout extends Error {
  override readonly name = "AgentTimeout";
}

export interface AgentTimeouts {
  /** Until the agent answers at all (HTTP headers, first A2A event). @default 10_000 */
  connectMs?: number;
  /** From the answer to the first text. @default 60_000 */
  firstTokenMs?: number;
  /** Longest silence between two pieces of text. @default 30_000 */
  idleMs?: number;
}

/**
 * Aborts an agent call that is too slow: one timer, re-armed per phase (connect → first
 * token → idle) and refreshed on every event, so a token costs no allocation.
 */
export class Watchdog {
  private timer: NodeJS.Timeout;
  private phase: "connect" | "first-token" | "idle" = "connect";
  private readonly limits: Required<AgentTimeouts>;

  constructor(
    private readonly controller: AbortController,
    timeouts: AgentTimeouts = {},
  ) {
    this.limits = { connectMs: 10_000, firstTokenMs: 60_000, idleMs: 30_000, ...timeouts };
    this.timer = this.arm(this.limits.connectMs);
  }

  connected(): void {
    if (this.phase !== "connect") return;
    this.phase = "first-token";
    clearTimeout(this.timer);
    this.timer = this.arm(this.limits.firstTokenMs);
  }

  text(): void {
    if (this.phase === "idle") {
      this.timer.refresh();
      return;
    }
    this.phase = "idle";
    clearTimeout(this.timer);
    this.timer = this.arm(this.limits.idleMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private arm(ms: number): NodeJS.Timeout {
    const phase = this.phase;
    const timer = setTimeout(() => this.controller.abort(new AgentTimeout(`no ${phase} within ${ms} ms`)), ms);
    timer.unref();
    return timer;
  }
}
