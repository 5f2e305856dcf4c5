/** Thrown (as a rejection) by every bus call made after `close()`. */
export class BusClosedError extends Error {
  readonly code = "BUS_CLOSED";

  constructor(kind: "redis" | "memory") {
    super(`@chat/bus: the ${kind} bus is closed`);
    this.name = "BusClosedError";
  }
}

/** Tracks whether a bus was closed, so every module can refuse calls the same way. */
export class Lifecycle {
  #closed = false;

  constructor(readonly kind: "redis" | "memory") {}

  get closed(): boolean {
    return this.#closed;
  }

  markClosed(): void {
    this.#closed = true;
  }

  /** Throws `BusClosedError` once the bus is closed (callers are async, so this rejects). */
  assertOpen(): void {
    if (this.#closed) throw new BusClosedError(this.kind);
  }
}
