import { ChatError, MISSING_TOKEN } from "@chat/protocol";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { LRUCache } from "lru-cache";

/** The caller, from the platform user-service's JWT. */
export interface AuthUser {
  /** The `sub` claim. */
  userId: string;
  role?: string;
  department?: string;
}

export interface TokenOptions {
  secret: string;
  /** @default "HS256" */
  algorithm?: "HS256" | "HS384" | "HS512";
  /**
   * How many verified tokens to remember (by the exact token string, until their `exp`), so a
   * client that sends the same token on every request pays for the HMAC check once. 0 disables.
   * @default 10_000
   */
  cacheSize?: number;
  /**
   * Accepted `aud` values: a token must name one of them. Empty or unset: `aud` is not checked.
   * Set it when other services share the secret, so a token they mint for themselves is not a
   * chat token.
   */
  audience?: readonly string[];
  /** Accepted `iss` values: a token must come from one of them. Empty or unset: not checked. */
  issuer?: readonly string[];
}

export type TokenVerifier = (token: string | undefined | null) => Promise<Readonly<AuthUser & { expiresAt: number }>>;

/**
 * HS256 JWTs shared with the platform's other services. `sub` and `exp` are required, the
 * algorithm is pinned (no `alg: none`, no algorithm switching). Failures are UNAUTHORIZED.
 */
export function createTokenVerifier(options: TokenOptions): TokenVerifier {
  const key = new TextEncoder().encode(options.secret);
  const algorithms = [options.algorithm ?? "HS256"];
  const claims = {
    algorithms,
    requiredClaims: ["sub", "exp"],
    ...(options.audience?.length ? { audience: [...options.audience] } : {}),
    ...(options.issuer?.length ? { issuer: [...options.issuer] } : {}),
  };
  const cacheSize = options.cacheSize ?? 10_000;
  // Only successful verifications are kept; a hit is the same token bytes that already passed
  // the signature check, so the one thing left to re-check is that it has not expired since.
  const verified = cacheSize > 0 ? new LRUCache<string, VerifiedUser>({ max: cacheSize }) : undefined;
  return async (token) => {
    if (!token) throw new ChatError("UNAUTHORIZED", MISSING_TOKEN);
    const cached = verified?.get(token);
    if (cached) {
      // jose's rule: expired once the clock reaches `exp`.
      if (Date.now() < cached.expiresAt) return cached;
      verified?.delete(token);
      throw new ChatError("UNAUTHORIZED", "Token expired");
    }
    const user = await verify(token);
    verified?.set(token, user);
    return user;
  };

  async function verify(token: string): Promise<VerifiedUser> {
    try {
      const { payload } = await jwtVerify(token, key, claims);
      const userId = payload.sub;
      if (typeof userId !== "string" || userId.length === 0 || userId.length > 100) {
        throw new ChatError("UNAUTHORIZED", "Token subject is invalid");
      }
      // Frozen: the same object is handed to every request that presents this token.
      return Object.freeze({
        userId,
        role: typeof payload.role === "string" ? payload.role : undefined,
        department: typeof payload.department === "string" ? payload.department : undefined,
        expiresAt: (payload.exp ?? 0) * 1_000,
      });
    } catch (error) {
      if (error instanceof ChatError) throw error;
      throw new ChatError("UNAUTHORIZED", rejection(error));
    }
  }
}

type VerifiedUser = Readonly<AuthUser & { expiresAt: number }>;

/** Why jose refused a token, in words a client can act on; signature and format problems stay vague. */
function rejection(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "Token expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    const missing = error.reason === "missing";
    if (error.claim === "aud") return missing ? "Token has no audience (aud)" : "Token audience (aud) is not accepted";
    if (error.claim === "iss") return missing ? "Token has no issuer (iss)" : "Token issuer (iss) is not accepted";
    if (error.claim === "nbf") return "Token is not valid yet (nbf)";
  }
  return "Invalid token";
}

/** Mint a token (tests, benchmarks, the development page). */
export async function signToken(
  claims: { sub: string; role?: string; department?: string },
  options: Omit<TokenOptions, "audience" | "issuer"> & {
    expiresIn?: string | number;
    audience?: string;
    issuer?: string;
  },
): Promise<string> {
  const { sub, ...rest } = claims;
  const jwt = new SignJWT(rest)
    .setProtectedHeader({ alg: options.algorithm ?? "HS256" })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "1h");
  if (options.audience) jwt.setAudience(options.audience);
  if (options.issuer) jwt.setIssuer(options.issuer);
  return jwt.sign(new TextEncoder().encode(options.secret));
}

/** `Authorization: Bearer <token>` → token. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}
