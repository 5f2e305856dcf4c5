import { createA2aAgent } from "./a2a";
import type { AgentBackend } from "./backend";
import { createDemoAgent, type DemoAgentOptions } from "./demo";
import { createOpenAiAgent, type OpenAiAgentOptions } from "./openai";

export interface BackendOptions extends DemoAgentOptions {
  /** Resolves an `api_key_env` name of an openai agent to its value. */
  secret?: OpenAiAgentOptions["secret"];
}

/** The three backends, keyed by `AgentInfo.backend`. */
export function createBackends(options: BackendOptions = {}): Record<string, AgentBackend> {
  return {
    demo: createDemoAgent({ chunkSize: options.chunkSize, delayMs: options.delayMs }),
    a2a: createA2aAgent(),
    openai: createOpenAiAgent({ secret: options.secret }),
  };
}
