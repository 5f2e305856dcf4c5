import { setTimeout as sleep } from "node:timers/promises";
import type { AgentBackend } from "./backend";

export interface DemoAgentOptions {
  /** Characters per chunk (STREAM_CHUNK_SIZE). @default 10 */
  chunkSize?: number;
  /** Milliseconds between chunks (STREAM_DELAY_MS). @default 50 */
  delayMs?: number;
}

/** The demo agent's whole answer to `prompt`: deterministic, so tests can assert it. */
export function demoReplyText(prompt: string): string {
  const quoted = prompt.length > 200 ? `${prompt.slice(0, 200)}…` : prompt;
  return `You said: "${quoted}". I am the built-in demo agent, streaming this reply in small chunks.`;
}

/** The built-in agent: streams `demoReplyText` in `chunkSize`-character chunks every `delayMs`. */
export function createDemoAgent(options: DemoAgentOptions = {}): AgentBackend {
  const chunkSize = options.chunkSize ?? 10;
  const delayMs = options.delayMs ?? 50;
  return async function* demo({ prompt, signal }) {
    // Split by code point, not UTF-16 unit, so Korean and emoji are never cut in half.
    const chars = Array.from(demoReplyText(prompt));
    for (let i = 0; i < chars.length; i += chunkSize) {
      if (i > 0 && delayMs > 0) await sleep(delayMs, undefined, { signal });
      signal.throwIfAborted();
      yield { type: "text", text: chars.slice(i, i + chunkSize).join("") };
    }
    yield { type: "usage", tokensUsed: Math.ceil(chars.length / 4) };
  };
}
