import type { z } from "zod";
import { type ClientFrame, clientFrameSchemas } from "./client-frames";
import { ChatError, type ErrorDetail } from "./errors";
import { findUnstorable } from "./storable";

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ChatError };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** zod issues → `{ path, message }` with a dotted path naming the bad field. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
}

function describe(details: ErrorDetail[]): string {
  return details.map((d) => `${d.path}: ${d.message}`).join("; ");
}

function invalid(details: ErrorDetail[]): { ok: false; error: ChatError } {
  return {
    ok: false,
    error: new ChatError("VALIDATION_ERROR", `Invalid request: ${describe(details)}`, { details }),
  };
}

/**
 * Validate a value with a schema; a failure is a VALIDATION_ERROR naming each bad field. What
 * passes is also checked to be storable (no NUL, no lone surrogate, bounded nesting): found by
 * fuzzing, such input used to reach PostgreSQL and come back as a 500.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): ParseResult<z.infer<S>> {
  const result = schema.safeParse(value);
  if (!result.success) return invalid(issuesToDetails(result.error.issues));
  // Checked after the schema: unknown fields are stripped by then and never reach storage.
  const unstorable = findUnstorable(result.data);
  return unstorable ? invalid([unstorable]) : { ok: true, value: result.data };
}

/**
 * The one parser of inbound WebSocket frames. Never throws: returns the typed frame or a typed
 * error (INVALID_JSON, BAD_REQUEST, UNKNOWN_TYPE or VALIDATION_ERROR).
 */
export function parseClientFrame(raw: string | ArrayBuffer | Uint8Array): ParseResult<ClientFrame> {
  let text: string;
  if (typeof raw === "string") {
    text = raw;
  } else {
    try {
      text = utf8.decode(raw);
    } catch {
      return { ok: false, error: new ChatError("INVALID_JSON", "Frame is not valid UTF-8") };
    }
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, error: new ChatError("INVALID_JSON", "Frame is not valid JSON") };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { ok: false, error: new ChatError("BAD_REQUEST", "Frame must be a JSON object") };
  }
  const type = (data as { type?: unknown }).type;
  if (typeof type !== "string") {
    return { ok: false, error: new ChatError("BAD_REQUEST", 'Frame must have a string "type"') };
  }
  if (!Object.hasOwn(clientFrameSchemas, type)) {
    const known = Object.keys(clientFrameSchemas).join(", ");
    return {
      ok: false,
      error: new ChatError("UNKNOWN_TYPE", `Unknown frame type "${type.slice(0, 40)}" (expected one of: ${known})`),
    };
  }
  const schema = clientFrameSchemas[type as keyof typeof clientFrameSchemas];
  return parseWith(schema, data) as ParseResult<ClientFrame>;
}
