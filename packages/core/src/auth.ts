import { ChatError } from "@chat/protocol";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";

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
}

export type TokenVerifier = (token: string | undefined | null) => Promise<AuthUser & { expiresAt: number }>;

/**
 * HS256 JWTs shared with the platform's other services. `sub` and `exp` are required, the
 * algorithm is pinned (no `alg: none`, no algorithm switching). Failures are UNAUTHORIZED.
 */
export function createTokenVerifier(options: TokenOptions): TokenVerifier {
  const key = new TextEncoder().encode(options.secret);
  const algorithms = [options.algorithm ?? "HS256"];
  return async (token) => {
    if (!token) throw new ChatError("UNAUTHORIZED", "Missing token");
    try {
      const { payload } = await jwtVerify(token, key, { algorithms, requiredClaims: ["sub", "exp"] });
      const userId = payload.sub;
      if (typeof userId !== "string" || userId.length === 0 || userId.length > 100) {
        throw new ChatError("UNAUTHORIZED", "Token subject is invalid");
      }
      return {
        userId,
        role: typeof payload.role === "string" ? payload.role : undefined,
        department: typeof payload.department === "string" ? payload.department : undefined,
        expiresAt: (payload.exp ?? 0) * 1_000,
      };
    } catch (error) {
      if (error instanceof ChatError) throw error;
      const message = error instanceof joseErrors.JWTExpired ? "Token expired" : "Invalid token";
      throw new ChatError("UNAUTHORIZED", message);
    }
  };
}

/** Mint a token (tests, benchmarks, the development page). */
export async function signToken(
  claims: { sub: string; role?: string; department?: string },
  options: TokenOptions & { expiresIn?: string | number },
): Promise<string> {
  const { sub, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: options.algorithm ?? "HS256" })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "1h")
    .sign(new TextEncoder().encode(options.secret));
}

/** `Authorization: Bearer <token>` → token. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}
