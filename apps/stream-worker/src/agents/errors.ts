import { ChatError } from "@chat/protocol";

const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "ECONNRESET",
]);

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/**
 * Classify a failed agent call: a network failure to reach the endpoint is AGENT_UNAVAILABLE,
 * anything else (HTTP error, malformed stream, protocol error) AGENT_ERROR. Timeouts are
 * decided by the caller's watchdog, not here.
 */
export function agentFailure(error: unknown, what: string): ChatError {
  if (error instanceof ChatError) return error;
  const codes = causeCodes(error);
  if (codes.some((code) => UNREACHABLE.has(code)) || (error instanceof TypeError && error.message === "fetch failed")) {
    return new ChatError("AGENT_UNAVAILABLE", `${what} is unreachable`, { cause: error });
  }
  return new ChatError("AGENT_ERROR", `${what} failed`, { cause: error });
}

/** An HTTP error answer from the agent: 502/503/504 mean it is down, the rest that it failed. */
export function httpFailure(status: number, what: string): ChatError {
  const code = status === 502 || status === 503 || status === 504 ? "AGENT_UNAVAILABLE" : "AGENT_ERROR";
  return new ChatError(code, `${what} answered HTTP ${status}`);
}
