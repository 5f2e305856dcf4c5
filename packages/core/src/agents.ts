/** An agent of the platform's agent-service (`GET /api/agents/{id}`). */
export interface AgentInfo {
  id: number;
  name: string;
  logo_url: string | null;
  /** `demo` is built in; `a2a` and `openai` call a real endpoint. */
  framework: "demo" | "a2a" | "openai" | (string & {});
  a2a_endpoint?: string | null;
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
