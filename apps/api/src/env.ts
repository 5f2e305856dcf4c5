import { commonEnv, envBoolean, envInt, envString, envStringList, parseEnv } from "@chat/core";
import { z } from "zod";

const optional = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** The api's environment, parsed once at start (names and defaults from the spec). */
export const apiEnvShape = {
  ...commonEnv,
  SERVICE_PORT: envInt(8003, 0, 65_535),
  CORS_ORIGINS: envStringList(["http://localhost:9060", "http://localhost:9050"]),
  // chat_files.file_size is an INTEGER: 2 GiB - 1 is the most it can record.
  MAX_FILE_SIZE: envInt(10_485_760, 1, 2_147_483_647),
  ALLOWED_FILE_TYPES: envStringList(["image/jpeg", "image/png", "application/pdf", "text/plain"]),
  FILE_STORAGE_PATH: envString("/tmp/chat-files"),
  FILE_STORAGE_TYPE: z
    .string()
    .optional()
    .transform((v) => (v ?? "local").trim().toLowerCase() || "local")
    .pipe(z.enum(["local", "s3"])),
  S3_BUCKET_NAME: optional(),
  S3_ENDPOINT: optional().pipe(z.url().optional()),
  S3_REGION: envString("us-east-1"),
  AWS_ACCESS_KEY_ID: optional(),
  AWS_SECRET_ACCESS_KEY: optional(),
  /** Key of signed file URLs; derived from JWT_SECRET_KEY when unset. */
  FILE_URL_SECRET: optional(),
  /** Seconds a signed file URL works. */
  FILE_URL_TTL: envInt(900, 10, 7 * 24 * 3_600),
  /** Images with more pixels are refused (decompression bombs). */
  MAX_IMAGE_PIXELS: envInt(40_000_000, 1, 1_000_000_000),
  /** The per-user message limit of the edges applies to REST/SSE posts, uploads and regenerate too. */
  RATE_LIMIT_ENABLED: envBoolean(false),
  RATE_LIMIT_MESSAGES_PER_MINUTE: envInt(60, 1),
};

export type ApiEnv = ReturnType<typeof loadApiEnv>;

export function loadApiEnv(source: Record<string, string | undefined>) {
  return parseEnv(apiEnvShape, source);
}
