import { z } from "zod";

/**
 * Helpers for each app's `env.ts`. Variable names and defaults are the spec's ("환경 변수").
 * Nothing here reads process.env: apps call `parseEnv(schema, process.env)` once, at start.
 */

/** "true"/"false"/"1"/"0"/"yes"/"no" (any case) → boolean. */
export const envBoolean = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(["true", "false", "1", "0", "yes", "no", "on", "off"]))
    .transform((v) => v === "true" || v === "1" || v === "yes" || v === "on")
    .optional()
    .transform((v) => v ?? fallback);

export const envInt = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number()
    .int()
    .min(min)
    .max(max)
    .optional()
    .transform((v) => v ?? fallback);

/** A JSON array of strings as in the spec (`["a", "b"]`), or a comma-separated list. */
export const envStringList = (fallback: readonly string[]) =>
  z
    .string()
    .optional()
    .transform((value, ctx): string[] => {
      if (value === undefined || value.trim() === "") return [...fallback];
      const text = value.trim();
      if (text.startsWith("[")) {
        try {
          const parsed: unknown = JSON.parse(text);
          if (Array.isArray(parsed) && parsed.every((v) => typeof v === "string")) return parsed;
        } catch {
          // reported below
        }
        ctx.addIssue({ code: "custom", message: "must be a JSON array of strings" });
        return z.NEVER;
      }
      return text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    });

/** An optional URL: unset or empty means "not configured". */
export const envOptionalUrl = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()))
    .pipe(z.url().optional());

export const envString = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === "" ? fallback : v));

/** The variables every app reads. */
export const commonEnv = {
  SERVICE_NAME: envString("chat-service"),
  DEBUG: envBoolean(false),
  LOG_LEVEL: z
    .string()
    .optional()
    .transform((v) => (v ?? "info").toLowerCase())
    .pipe(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])),
  NODE_ENV: envString("development"),
  DATABASE_URL: envOptionalUrl(),
  DATABASE_POOL_SIZE: envInt(20, 1, 1_000),
  DATABASE_MAX_OVERFLOW: envInt(40, 0, 1_000),
  /** Where embedded PostgreSQL (PGlite) keeps its data when DATABASE_URL is unset. */
  DATA_DIR: envString("./.data"),
  REDIS_URL: envOptionalUrl(),
  /** Prefix of every Redis key and channel, so several deployments (or tests) can share one Redis. */
  REDIS_KEY_PREFIX: envString(""),
  JWT_SECRET_KEY: envString("local-dev-secret-key-change-in-production"),
  JWT_ALGORITHM: z
    .string()
    .optional()
    .transform((v) => v ?? "HS256")
    .pipe(z.enum(["HS256", "HS384", "HS512"])),
  /** Accepted `aud` values of tokens (comma-separated or a JSON list); unset → not checked. */
  JWT_AUDIENCE: envStringList([]),
  /** Accepted `iss` values of tokens (comma-separated or a JSON list); unset → not checked. */
  JWT_ISSUER: envStringList([]),
  /** The platform's agent-service (`GET /api/agents/{id}`); unset → AGENTS_FILE or the demo agent. */
  AGENT_SERVICE_URL: envOptionalUrl(),
  /** A local JSON list of agents (a2a or openai), consulted before AGENT_SERVICE_URL. */
  AGENTS_FILE: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim())),
  /** Seconds an agent looked up in the agent-service stays cached. */
  AGENT_CACHE_TTL: envInt(60, 0, 86_400),
  /** Milliseconds before an agent-service lookup gives up. */
  AGENT_SERVICE_TIMEOUT_MS: envInt(3_000, 100, 60_000),
};

export class EnvError extends Error {
  override readonly name = "EnvError";
}

/**
 * Parse the environment once. A bad value throws an EnvError naming every bad variable,
 * e.g. `Invalid environment: SERVICE_PORT: Invalid input: expected number, received NaN`.
 */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  source: Record<string, string | undefined>,
): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  throw new EnvError(`Invalid environment: ${problems.join("; ")}`);
}

/** The default secret is for local development only; production must set its own. */
export const DEV_JWT_SECRET = "local-dev-secret-key-change-in-production";

/**
 * Everyone can read the development secret (it is in the spec and the README), so a service
 * that verifies tokens with it under NODE_ENV=production accepts tokens anyone can mint. Every
 * app that verifies tokens (api, ws-edge, standalone) calls this at start.
 */
export function refuseDevSecretInProduction(env: { NODE_ENV: string; JWT_SECRET_KEY: string }): void {
  if (env.NODE_ENV === "production" && env.JWT_SECRET_KEY === DEV_JWT_SECRET) {
    throw new EnvError("JWT_SECRET_KEY: the development default must not be used in production");
  }
}
