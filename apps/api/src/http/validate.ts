import { ChatError, findUnstorable, parseWith } from "@chat/protocol";
import type { z } from "zod";

/** Validate a body or query against its protocol schema; throws VALIDATION_ERROR naming fields. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = parseWith(schema, value ?? {});
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * Route parameters are checked so they never reach SQL as something absurd: a length, and no
 * NUL or lone surrogate (PostgreSQL refuses those: `/sessions/a%00b` used to answer 500).
 */
export function param(value: string | string[] | undefined, name: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 100 || findUnstorable(value)) {
    throw new ChatError("NOT_FOUND", `Unknown ${name}`);
  }
  return value;
}
