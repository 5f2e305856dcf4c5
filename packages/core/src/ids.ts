import { randomBytes, randomUUID } from "node:crypto";

/** Short random ids: prefix + 16 url-safe characters (96 bits). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("base64url")}`;
}

export const newMessageId = () => newId("msg");
export const newConnectionId = () => newId("conn");
export const newInstanceId = (app: string) => `${app}-${randomBytes(4).toString("hex")}`;
export const newTraceId = () => randomUUID();
