import { ChatError } from "@chat/protocol";
import type { NextFunction, Request, Response } from "express";

/** The last handler of a route: any other method gets 405 with `Allow`, in the error envelope. */
export function methodNotAllowed(...allowed: string[]) {
  const allow = allowed.join(", ");
  return (req: Request, res: Response, next: NextFunction) => {
    // OPTIONS is answered by the CORS middleware for preflights; anything else that reaches here is not allowed.
    res.setHeader("Allow", allow);
    next(new ChatError("METHOD_NOT_ALLOWED", `${req.method} is not allowed here (allowed: ${allow})`));
  };
}
