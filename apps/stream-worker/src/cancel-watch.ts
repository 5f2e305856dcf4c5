import { channels, keys, type Unsubscribe } from "@chat/bus";
import { type AgentJob, controlMessageSchema } from "@chat/core";
import type { StreamWorkerDeps } from "./options";

/** Thrown through the abort signal when a participant stops the reply. */
export class CancelAbort extends Error {
  override readonly name = "CancelAbort";
}

/**
 * Subscribe to the reply's control channel, then check for a cancel sent before it (remembered
 * in a key): a cancel is seen by one of them. Resolves, once both are in place, with the
 * unsubscribe.
 */
export async function watchCancel(deps: StreamWorkerDeps, job: AgentJob, abort: AbortController): Promise<Unsubscribe> {
  const unsubscribe = await deps.bus.pubsub.subscribe(channels.control(job.reply_message_id), (payload) => {
    let parsed: ReturnType<typeof controlMessageSchema.safeParse>;
    try {
      parsed = controlMessageSchema.safeParse(JSON.parse(payload));
    } catch {
      return;
    }
    if (parsed.success) abort.abort(new CancelAbort(`cancelled by ${parsed.data.by}`));
  });
  try {
    if (await deps.bus.kv.get(keys.replyCancel(job.reply_message_id))) abort.abort(new CancelAbort("cancelled early"));
  } catch (error) {
    await unsubscribe();
    throw error;
  }
  return unsubscribe;
}
