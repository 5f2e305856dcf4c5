import { z } from "zod";

/** An agent job on the `chat:jobs` stream: produce one reply to one user message. */
export const agentJobSchema = z.object({
  kind: z.literal("reply"),
  session_id: z.string(),
  /** The user message being answered. */
  user_message_id: z.string(),
  /**
   * Chosen at enqueue time so that a job restarted after a worker died continues under the
   * same message id (clients replace instead of appending).
   */
  reply_message_id: z.string(),
  agent_id: z.int(),
  trace_id: z.string().nullable(),
  enqueued_at: z.string(),
});
export type AgentJob = z.infer<typeof agentJobSchema>;

export function encodeJob(job: AgentJob): string {
  return JSON.stringify(job);
}

/** Parse a job payload; returns undefined for a payload that is not a valid job. */
export function decodeJob(payload: string): AgentJob | undefined {
  try {
    const result = agentJobSchema.safeParse(JSON.parse(payload));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/** Control messages to a running reply, on `chat:control:{message_id}`. */
export const controlMessageSchema = z.object({
  type: z.literal("cancel"),
  message_id: z.string(),
  by: z.string(),
});
export type ControlMessage = z.infer<typeof controlMessageSchema>;
