import { ChatError, toChatError } from "@chat/protocol";

/** postgres.js and Node socket codes of a connection that failed or went away. */
const connectionCodes = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
]);

/** PostgreSQL SQLSTATEs of a server that is going away or not there yet. */
const unavailableStates = new Set(["57P01", "57P02", "57P03"]);

/** ioredis messages of a Redis that is unreachable or stopped answering. */
const redisDown =
  /^(Command timed out|Connection is closed|Stream isn't writeable|Reached the max retries per request)/;

/** True when `error` (or an error it wraps) says PostgreSQL or Redis is unreachable right now. */
export function isDependencyDown(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (
      typeof code === "string" &&
      (connectionCodes.has(code) || unavailableStates.has(code) || code.startsWith("08"))
    ) {
      return true;
    }
    if (e.name === "MaxRetriesPerRequestError" || redisDown.test(e.message)) return true;
  }
  return false;
}

/**
 * Anything thrown, as the ChatError a client gets: PostgreSQL or Redis being away is
 * UNAVAILABLE (503, retryable: try again shortly), not an INTERNAL error; the rest as
 * `toChatError`. The original stays as `cause` for logs.
 */
export function toServiceError(error: unknown): ChatError {
  if (error instanceof ChatError || !isDependencyDown(error)) return toChatError(error);
  return new ChatError("UNAVAILABLE", "The service is briefly unavailable; retry shortly", { cause: error });
}
