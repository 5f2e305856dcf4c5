/**
 * Thrown when a write names a session (or a participant of one) that does not exist. Callers
 * map it to their own not-found error; this package does not know about HTTP or WS codes.
 */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";

  constructor(
    readonly entity: "session" | "participant",
    readonly id: string,
  ) {
    super(`${entity} not found: ${id}`);
  }
}
