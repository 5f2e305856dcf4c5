import { isUtf8 } from "node:buffer";
import { ChatError } from "@chat/protocol";
import express, { type RequestHandler } from "express";

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers["content-length"];
  return headers["transfer-encoding"] !== undefined || (typeof length === "string" && Number(length) > 0);
}

/**
 * Bodies of the REST routes: JSON, parsed, and valid UTF-8 (body-parser would turn bad bytes
 * into U+FFFD and store that). Any other body is refused with 415 instead of being read as
 * `{}` (uploads are routed before this). Found by fuzzing: a `text/plain` JSON body used to
 * create a session with none of its fields, and invalid UTF-8 was stored as replacement marks.
 */
export function jsonBodies(limit: string): RequestHandler[] {
  return [
    express.json({
      limit,
      verify(_req, _res, buffer) {
        if (!isUtf8(buffer)) throw new ChatError("INVALID_JSON", "Request body is not valid UTF-8");
      },
    }),
    (req, _res, next) => {
      if (!hasBody(req.headers) || req.is("application/json")) return next();
      const type = req.headers["content-type"] ?? "no Content-Type";
      next(new ChatError("UNSUPPORTED_MEDIA_TYPE", `Send the body as application/json (got ${type.slice(0, 80)})`));
    },
  ];
}
