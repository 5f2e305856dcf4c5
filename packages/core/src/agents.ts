/** An agent of the platform's agent-service (`GET /api/agents/{id}`). */
export interface AgentInfo {
  id: number;
  name: string;
  logo_url: string | null;
  /**
   * How the worker talks to the agent: `demo` is built in; `a2a` and `openai` call a real
   * endpoint. Derived from the agent-service record (an `a2a_endpoint` means `a2a`).
   */
  backend: AgentBackendKind;
  /** The agent-service's framework label (e.g. `langgraph`); informational. */
  framework: string | null;
  a2a_endpoint?: string | null;
  /** For `openai` agents (from AGENTS_FILE only). */
  openai?: OpenAiAgentConfig;
}

export type AgentBackendKind = "demo" | "a2a" | "openai";

/** An OpenAI-compatible Chat Completions endpoint, configured by the operator. */
export interface OpenAiAgentConfig {
  /** e.g. `http://127.0.0.1:11434/v1` (`/chat/completions` is appended). */
  base_url: string;
  model: string;
  /** Name of the environment variable holding the API key (never the key itself). */
  api_key_env?: string | null;
  /** System prompt sent first. */
  system_prompt?: string | null;
}

export interface AgentRegistry {
  get(agentId: number): Promise<AgentInfo | undefined>;
  /** Several at once (the session list), never one request per row. */
  getMany(agentIds: readonly number[]): Promise<Map<number, AgentInfo>>;
}

/** Agent 1: the built-in, deterministic demo agent (local use and tests). */
export const DEMO_AGENT: AgentInfo = {
  id: 1,
  name: "Demo Agent",
  logo_url: null,
  backend: "demo",
  framework: "demo",
};

/** A registry over a fixed list (the built-in demo agent by default). */
export function createStaticAgentRegistry(agents: readonly AgentInfo[] = [DEMO_AGENT]): AgentRegistry {
  const byId = new Map(agents.map((agent) => [agent.id, agent]));
  return {
    async get(agentId) {
      return byId.get(agentId);
    },
    async getMany(agentIds) {
      const found = new Map<number, AgentInfo>();
      for (const id of agentIds) {
        const agent = byId.get(id);
        if (agent) found.set(id, agent);
      }
      return found;
    },
  };
}
