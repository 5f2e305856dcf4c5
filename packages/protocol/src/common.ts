import { z } from "zod";

/** Largest text content of one message, in characters (the WS frame limit applies on top). */
export const MAX_CONTENT_LENGTH = 32_000;

export const sessionIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, "may contain only letters, digits and _ . : -");

export const messageIdSchema = z.string().min(1).max(100);
export const fileIdSchema = z.string().min(1).max(100);

/** Client-chosen id that makes a resend idempotent. */
export const clientMsgIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, "may contain only letters, digits and _ . : -");

export const seqSchema = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

export const contentSchema = z
  .string()
  .max(MAX_CONTENT_LENGTH, `must be at most ${MAX_CONTENT_LENGTH} characters`)
  .refine((s) => s.trim().length > 0, "must not be empty");

export const metadataSchema = z.record(z.string(), z.unknown());

export const isoTimestamp = z.string();

export const senderTypeSchema = z.enum(["user", "agent", "system"]);
export const messageTypeSchema = z.enum(["text", "stream", "file", "system"]);
export const messageStatusSchema = z.enum(["complete", "streaming", "cancelled", "error"]);
export const finishReasonSchema = z.enum(["stop", "cancelled", "error"]);
export const sessionStatusSchema = z.enum(["active", "archived", "deleted"]);

export type SenderType = z.infer<typeof senderTypeSchema>;
export type MessageType = z.infer<typeof messageTypeSchema>;
export type MessageStatus = z.infer<typeof messageStatusSchema>;
export type FinishReason = z.infer<typeof finishReasonSchema>;
export type SessionStatus = z.infer<typeof sessionStatusSchema>;
