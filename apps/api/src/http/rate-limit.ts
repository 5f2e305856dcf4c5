import { createMessageRateLimiter } from "@chat/core";
import type { NextFunction, Request, Response } from "express";
import type { ApiDeps } from "../deps";
import { userOf } from "./auth";

/**
 * Routes that store a message or start an agent reply: the same per-user budget as the WS
 * `message` and `file` frames (one counter, shared with every edge on the bus), so a client
 * cannot step around the edge's limit by posting over REST or SSE.
 */
export const MESSAGE_ROUTES = [
  "/sessions/:sessionId/messages",
  "/sessions/:sessionId/messages/stream",
  "/sessions/:sessionId/messages/:messageId/regenerate",
  "/sessions/:sessionId/files",
];

/** Middleware for {@link MESSAGE_ROUTES}, or undefined when the limit is off. */
export function limitMessages({ bus, messagesPerMinute }: Pick<ApiDeps, "bus" | "messagesPerMinute">) {
  if (!messagesPerMinute) return undefined;
  const limiter = createMessageRateLimiter(bus, { messagesPerMinute });
  return async (_req: Request, res: Response, next: NextFunction) => {
    await limiter.consume(userOf(res).userId);
    next();
  };
}
