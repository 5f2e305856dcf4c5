import { randomBytes } from "node:crypto";

// 12 random bytes = 96 bits, 16 URL-safe characters: unguessable and short enough for logs.
const randomPart = () => randomBytes(12).toString("base64url");

/** A new session id: `sess_` + 16 URL-safe random characters. */
export const newSessionId = (): string => `sess_${randomPart()}`;

/** A new message id: `msg_` + 16 URL-safe random characters. */
export const newMessageId = (): string => `msg_${randomPart()}`;
