import { randomBytes } from "node:crypto";

/** Random bytes drawn from the CSPRNG at a time: one call per 341 ids instead of one per id. */
const POOL_SIZE = 4_092;
const ID_BYTES = 12;
let pool = Buffer.alloc(0);
let offset = 0;

// 12 random bytes = 96 bits, 16 URL-safe characters: unguessable and short enough for logs.
// Each id takes bytes no other id took (a spent pool is dropped, never refilled in place).
function randomPart(): string {
  if (offset + ID_BYTES > pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const part = pool.toString("base64url", offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return part;
}

/** A new session id: `sess_` + 16 URL-safe random characters. */
export const newSessionId = (): string => `sess_${randomPart()}`;

/** A new message id: `msg_` + 16 URL-safe random characters. */
export const newMessageId = (): string => `msg_${randomPart()}`;
