import type { IncomingMessage, ServerResponse } from "node:http";
import { signToken } from "@chat/core";

export interface DevLoginOptions {
  secret: string;
  algorithm: "HS256" | "HS384" | "HS512";
  /** @default "8h" */
  expiresIn?: string;
  /** The token's `aud` (the first of JWT_AUDIENCE), so the service accepts it. */
  audience?: string | undefined;
  /** The token's `iss` (the first of JWT_ISSUER). */
  issuer?: string | undefined;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * `POST /dev/login {"name": "..."}` → `{token, user_id}`: a development token for whoever you
 * say you are. Only mounted when DEV_LOGIN is on, which the env refuses under NODE_ENV=production.
 */
export async function handleDevLogin(req: IncomingMessage, res: ServerResponse, options: DevLoginOptions) {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 1_000) break;
  }
  let name: unknown;
  try {
    name = (JSON.parse(body) as { name?: unknown }).name;
  } catch {
    name = undefined;
  }
  if (typeof name !== "string" || !NAME.test(name)) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        error: { code: "VALIDATION_ERROR", message: "name: 1-64 letters, digits, _ . or -" },
      }),
    );
    return;
  }
  const token = await signToken(
    { sub: name },
    {
      secret: options.secret,
      algorithm: options.algorithm,
      expiresIn: options.expiresIn ?? "8h",
      audience: options.audience,
      issuer: options.issuer,
    },
  );
  res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify({ token, user_id: name }));
}
