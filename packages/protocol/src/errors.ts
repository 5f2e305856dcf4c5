import { CloseCode } from "./close-codes";

interface ErrorSpec {
  /** HTTP status for REST and SSE answers. */
  readonly http: number;
  /** WebSocket close code when the error ends the connection. */
  readonly close: number;
  /** Whether the same request may succeed if retried later. */
  readonly retryable: boolean;
}

/**
 * Every error the service reports, in one place: REST envelopes, WS `error` frames, WS close
 * codes and SSE `error` events all take their code from here.
 */
export const errorCatalog = {
  BAD_REQUEST: { http: 400, close: CloseCode.BadRequest, retryable: false },
  VALIDATION_ERROR: { http: 400, close: CloseCode.BadRequest, retryable: false },
  INVALID_JSON: { http: 400, close: CloseCode.BadRequest, retryable: false },
  UNKNOWN_TYPE: { http: 400, close: CloseCode.BadRequest, retryable: false },
  UNAUTHORIZED: { http: 401, close: CloseCode.Unauthorized, retryable: false },
  FORBIDDEN: { http: 403, close: CloseCode.Forbidden, retryable: false },
  NOT_FOUND: { http: 404, close: CloseCode.NotFound, retryable: false },
  SESSION_NOT_FOUND: { http: 404, close: CloseCode.NotFound, retryable: false },
  METHOD_NOT_ALLOWED: { http: 405, close: CloseCode.BadRequest, retryable: false },
  IDLE_TIMEOUT: { http: 408, close: CloseCode.IdleTimeout, retryable: true },
  CONFLICT: { http: 409, close: CloseCode.BadRequest, retryable: false },
  PAYLOAD_TOO_LARGE: { http: 413, close: CloseCode.TooLarge, retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, close: CloseCode.BadRequest, retryable: false },
  RANGE_NOT_SATISFIABLE: { http: 416, close: CloseCode.BadRequest, retryable: false },
  RATE_LIMIT: { http: 429, close: CloseCode.TooMany, retryable: true },
  TOO_MANY_CONNECTIONS: { http: 429, close: CloseCode.TooMany, retryable: true },
  INTERNAL: { http: 500, close: CloseCode.InternalError, retryable: true },
  AGENT_ERROR: { http: 502, close: CloseCode.InternalError, retryable: true },
  AGENT_UNAVAILABLE: { http: 502, close: CloseCode.InternalError, retryable: true },
  UNAVAILABLE: { http: 503, close: CloseCode.TryAgainLater, retryable: true },
  DRAINING: { http: 503, close: CloseCode.ServiceRestart, retryable: true },
  AGENT_TIMEOUT: { http: 504, close: CloseCode.InternalError, retryable: true },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalog;

export const errorCodes = Object.keys(errorCatalog) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(errorCatalog, value);
}

/** One field-level problem, e.g. `{ path: "content", message: "Required" }`. */
export interface ErrorDetail {
  path: string;
  message: string;
}

export interface ChatErrorOptions {
  details?: ErrorDetail[];
  /** Milliseconds after which a retry may succeed (rate limits). */
  retryAfterMs?: number;
  cause?: unknown;
}

/** The one error class of the service. Anything thrown is turned into one by `toChatError`. */
export class ChatError extends Error {
  override readonly name = "ChatError";
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: ChatErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.retryAfterMs = options.retryAfterMs;
  }

  get httpStatus(): number {
    return errorCatalog[this.code].http;
  }

  get closeCode(): number {
    return errorCatalog[this.code].close;
  }

  get retryable(): boolean {
    return errorCatalog[this.code].retryable;
  }
}

/**
 * Turns anything thrown into a ChatError. Unknown errors become INTERNAL with a generic
 * message, so internals never leak to clients; the original stays as `cause` for logs.
 */
export function toChatError(error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  return new ChatError("INTERNAL", "Internal server error", { cause: error });
}
