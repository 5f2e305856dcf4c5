import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLocalStorage } from "./local-storage";
import { createUrlSigner, type UrlSigner } from "./signed-url";
import type { FileStorage } from "./storage";

/** The spec's `ALLOWED_FILE_TYPES` default. */
export const DEFAULT_ALLOWED_TYPES = ["image/jpeg", "image/png", "application/pdf", "text/plain"] as const;

export interface FilesOptions {
  /** Where the bytes go. @default local storage under `$TMPDIR/chat-files` */
  storage?: FileStorage;
  /** Largest upload in bytes (`MAX_FILE_SIZE`). @default 10_485_760 */
  maxFileSize?: number;
  /** Types accepted, as detected from the bytes (`ALLOWED_FILE_TYPES`). @default the spec's four */
  allowedTypes?: readonly string[];
  /** HMAC key of signed file URLs. @default random per process (fine for one process only) */
  urlSecret?: string | Uint8Array;
  /** Lifetime of a signed file URL in seconds. @default 900 */
  urlTtlSeconds?: number;
  /** Images with more pixels are refused (decompression bombs). @default 40_000_000 */
  maxImagePixels?: number;
  /** Longest side of a thumbnail in pixels. @default 320 */
  thumbnailSize?: number;
}

export interface ResolvedFilesOptions {
  storage: FileStorage;
  maxFileSize: number;
  allowedTypes: ReadonlySet<string>;
  signer: UrlSigner;
  maxImagePixels: number;
  thumbnailSize: number;
}

export function resolveFilesOptions(options: FilesOptions = {}): ResolvedFilesOptions {
  return {
    storage: options.storage ?? createLocalStorage({ root: path.join(tmpdir(), "chat-files") }),
    maxFileSize: options.maxFileSize ?? 10_485_760,
    allowedTypes: new Set(options.allowedTypes ?? DEFAULT_ALLOWED_TYPES),
    signer: createUrlSigner({ secret: options.urlSecret ?? randomBytes(32), ttlSeconds: options.urlTtlSeconds }),
    maxImagePixels: options.maxImagePixels ?? 40_000_000,
    thumbnailSize: options.thumbnailSize ?? 320,
  };
}
