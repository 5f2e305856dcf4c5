import { createHmac, timingSafeEqual } from "node:crypto";
import { filePath } from "@chat/core";

export type FileVariant = "file" | "thumb";

export interface UrlSignerOptions {
  /** HMAC key. */
  secret: string | Uint8Array;
  /** How long a signed URL works. @default 900 (15 minutes) */
  ttlSeconds?: number;
  /** @default Date.now */
  now?: () => number;
}

export interface UrlSigner {
  /** `/files/{id}[/thumb]?exp=...&sig=...`, valid for `ttlSeconds`. */
  sign(fileId: string, variant: FileVariant): string;
  /** "ok", "expired" or "invalid" (tampered, or for another file or variant). */
  verify(fileId: string, variant: FileVariant, exp: unknown, sig: unknown): "ok" | "expired" | "invalid";
}

/** The HMAC key for file URLs: FILE_URL_SECRET if set, else one derived from the JWT secret. */
export function deriveUrlSecret(jwtSecret: string, fileUrlSecret?: string): Uint8Array {
  if (fileUrlSecret) return new TextEncoder().encode(fileUrlSecret);
  // A separate key, so a file URL signature can never be mistaken for (or help forge) a JWT.
  return createHmac("sha256", jwtSecret).update("chat-service/file-urls/v1").digest();
}

/**
 * Signed download URLs, because `<img src>` cannot send an Authorization header. The MAC
 * covers file id, variant and expiry, so a URL works only for what it was made for.
 */
export function createUrlSigner(options: UrlSignerOptions): UrlSigner {
  const ttl = options.ttlSeconds ?? 900;
  const now = options.now ?? Date.now;
  const mac = (fileId: string, variant: FileVariant, exp: number) =>
    createHmac("sha256", options.secret).update(`${variant}\n${fileId}\n${exp}`).digest();

  return {
    sign(fileId, variant) {
      const exp = Math.floor(now() / 1_000) + ttl;
      const sig = mac(fileId, variant, exp).toString("base64url");
      return `${filePath(fileId, variant)}?exp=${exp}&sig=${sig}`;
    },
    verify(fileId, variant, exp, sig) {
      if (typeof exp !== "string" || typeof sig !== "string" || !/^\d{1,12}$/.test(exp)) return "invalid";
      const expected = mac(fileId, variant, Number(exp));
      const given = Buffer.from(sig, "base64url");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "invalid";
      return Number(exp) * 1_000 < now() ? "expired" : "ok";
    },
  };
}
