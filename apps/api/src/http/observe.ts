import { randomUUID } from "node:crypto";
import type { Logger, Metrics } from "@chat/core";
import type { NextFunction, Request, Response } from "express";

/**
 * Per request: one structured log line and the duration histogram, labelled by the route
 * pattern (`/api/chat/sessions/:sessionId`), never by the raw path, so ids do not explode the
 * label set. The log carries `trace_id` (the caller's `X-Trace-Id` or a new one) and
 * `session_id`; never the body, the query string, headers or tokens.
 */
export function observeRequests(logger: Logger, metrics: Metrics | undefined) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers["x-trace-id"];
    const traceId = typeof incoming === "string" && /^[\w.:-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader("X-Trace-Id", traceId);
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route?.path ? routePattern(req) : "unmatched";
      const status = String(res.statusCode);
      metrics?.httpDuration.observe({ method: req.method, route, status }, seconds);
      const sessionId = typeof req.params?.sessionId === "string" ? req.params.sessionId : undefined;
      logger.info(
        {
          trace_id: traceId,
          session_id: sessionId,
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1_000),
        },
        "request",
      );
    });
    next();
  };
}

/**
 * `/api/chat/sessions/:sessionId/messages/:messageId/stream`. A mounted router's `baseUrl` is the
 * concrete path (`/api/chat/sessions/sess_abc/messages`), so the segments that are parameter
 * values go back to their names: otherwise every session id, even one a caller made up for a
 * 404, would be a new label (unbounded metric series, ids in every log line).
 */
function routePattern(req: Request): string {
  const byValue = new Map(Object.entries(req.params ?? {}).map(([name, value]) => [String(value), `:${name}`]));
  const segments = req.baseUrl.split("/");
  // Right to left, each parameter once: a session named "sessions" or "api" stays one segment.
  for (let i = segments.length - 1; i > 0 && byValue.size > 0; i--) {
    let decoded = segments[i] ?? "";
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      // not percent-encoded text: compare as sent
    }
    const name = byValue.get(decoded);
    if (name === undefined) continue;
    segments[i] = name;
    byValue.delete(decoded);
  }
  const path = req.route?.path;
  return `${segments.join("/")}${path === "/" ? "" : path}`;
}
