import { type AuthUser, bearerToken, type TokenVerifier } from "@chat/core";
import type { NextFunction, Request, Response } from "express";

/**
 * Reads `Authorization: Bearer <jwt>` into `res.locals.user`; a missing or bad token is a 401
 * through the error handler.
 */
export function requireAuth(verifyToken: TokenVerifier) {
  return async (req: Request, res: Response, next: NextFunction) => {
    res.locals.user = await verifyToken(bearerToken(req.headers.authorization));
    next();
  };
}

/** The authenticated user of a request behind `requireAuth`. */
export function userOf(res: Response): AuthUser {
  const user = res.locals.user as AuthUser | undefined;
  if (!user) throw new Error("requireAuth must run before this handler");
  return user;
}
