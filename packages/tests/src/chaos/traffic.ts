import type { Conversation } from "./conversation";

/** Every conversation sends a message every `everyMs` until `stop()`; returns the count sent. */
export function startTraffic(conversations: Conversation[], everyMs: number): { stop(): Promise<void> } {
  let running = true;
  const loops = conversations.map(async (c, n) => {
    // Spread the conversations over the interval instead of sending in bursts.
    await sleep((everyMs * n) / conversations.length);
    for (let i = 0; running; i++) {
      c.send(`m${i} of ${c.sessionId}`);
      await sleep(everyMs);
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Milliseconds from `faultAt` until every conversation had a message sent after the fault
 * acknowledged (waits up to `timeoutMs`; returns -1 if some never did).
 */
export async function recoveryMs(conversations: Conversation[], faultAt: number, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const firsts = conversations.map((c) => c.firstAckAfter(faultAt));
    if (firsts.every((t) => t !== undefined)) return Math.max(...(firsts as number[])) - faultAt;
    if (Date.now() > deadline) return -1;
    await sleep(50);
  }
}
