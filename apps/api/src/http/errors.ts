import { type Logger, toServiceError } from "@chat/core";
import { ChatError, type ErrorEnvelope } from "@chat/protocol";
import type { NextFunction, Request, Response } from "express";

/** Turns an Express/body-parser error into the catalog's code. */
function fromExpress(error: unknown): ChatError | undefined {
  // The router could not decode a route parameter (`/sessions/%FF`): the client's URL is bad.
  if (error instanceof URIError) return new ChatError("BAD_REQUEST", "The URL has malformed percent-encoding");
  if (typeof error !== "object" || error === null) return undefined;
  const type = (error as { type?: unknown }).type;
  if (type === "entity.parse.failed") return new ChatError("INVALID_JSON", "Request body is not valid JSON");
  if (type === "entity.too.large") return new ChatError("PAYLOAD_TOO_LARGE", "Request body is too large");
  if (type === "encoding.unsupported" || type === "charset.unsupported") {
    return new ChatError("UNSUPPORTED_MEDIA_TYPE", "Unsupported body encoding");
  }
  return undefined;
}

/** The one Express error handler: renders `{ error: { code, message, details? } }`. */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const chatError = fromExpress(error) ?? toServiceError(error);
    if (chatError.code === "UNAVAILABLE") {
      logger.warn({ err: chatError.cause, method: req.method, route: req.route?.path }, "dependency unavailable");
    }
    if (chatError.code === "INTERNAL") {
      logger.error({ err: chatError.cause ?? error, method: req.method, route: req.route?.path }, "request failed");
    }
    if (chatError.retryAfterMs !== undefined) {
      res.setHeader("Retry-After", Math.ceil(chatError.retryAfterMs / 1_000));
    }
    const body: ErrorEnvelope = {
      error: { code: chatError.code, message: chatError.message, details: chatError.details },
    };
    if (res.headersSent) return;
    res.status(chatError.httpStatus).json(body);
  };
}

export function notFoundHandler(req: Request, _res: Response, next: NextFunction) {
  next(new ChatError("NOT_FOUND", `No route for ${req.method} ${req.path}`));
}
