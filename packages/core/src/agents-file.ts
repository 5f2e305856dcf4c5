import { readFileSync } from "node:fs";
import { z } from "zod";
import { type AgentInfo, type AgentRegistry, createStaticAgentRegistry } from "./agents";

const fileAgent = z
  .object({
    id: z.int().min(1),
    name: z.string().min(1),
    logo_url: z.string().nullish(),
    framework: z.string().nullish(),
    /** Defaults to `a2a` when `a2a_endpoint` is set, `openai` when `base_url` is. */
    backend: z.enum(["demo", "a2a", "openai"]).optional(),
    a2a_endpoint: z.url().nullish(),
    base_url: z.url().optional(),
    model: z.string().optional(),
    api_key_env: z.string().nullish(),
    system_prompt: z.string().nullish(),
  })
  .superRefine((agent, ctx) => {
    const backend = agent.backend ?? (agent.base_url ? "openai" : agent.a2a_endpoint ? "a2a" : undefined);
    if (backend === undefined) ctx.addIssue({ code: "custom", message: "needs backend, a2a_endpoint or base_url" });
    if (backend === "a2a" && !agent.a2a_endpoint) ctx.addIssue({ code: "custom", message: "a2a needs a2a_endpoint" });
    if (backend === "openai" && (!agent.base_url || !agent.model)) {
      ctx.addIssue({ code: "custom", message: "openai needs base_url and model" });
    }
  });

const agentsFile = z.union([z.array(fileAgent), z.object({ agents: z.array(fileAgent) }).transform((f) => f.agents)]);

/** Parse the AGENTS_FILE JSON (a list, or `{ "agents": [...] }`); throws naming the bad entry. */
export function parseAgentsFile(text: string, source = "AGENTS_FILE"): AgentInfo[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not valid JSON`, { cause: error });
  }
  const parsed = agentsFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`${source} is invalid: ${problems.join("; ")}`);
  }
  return parsed.data.map((agent) => {
    const backend = agent.backend ?? (agent.base_url ? "openai" : agent.a2a_endpoint ? "a2a" : "demo");
    return {
      id: agent.id,
      name: agent.name,
      logo_url: agent.logo_url ?? null,
      framework: agent.framework ?? backend,
      backend,
      a2a_endpoint: agent.a2a_endpoint ?? null,
      ...(backend === "openai" && agent.base_url && agent.model
        ? {
            openai: {
              base_url: agent.base_url,
              model: agent.model,
              api_key_env: agent.api_key_env ?? null,
              system_prompt: agent.system_prompt ?? null,
            },
          }
        : {}),
    };
  });
}

/** The agents listed in a local JSON file, read once at start. */
export function createFileAgentRegistry(path: string): AgentRegistry {
  return createStaticAgentRegistry(parseAgentsFile(readFileSync(path, "utf8"), path));
}

/** Look agents up in `first`, then in `second` for what `first` does not know. */
export function chainAgentRegistries(first: AgentRegistry, second: AgentRegistry): AgentRegistry {
  return {
    async get(agentId) {
      return (await first.get(agentId)) ?? second.get(agentId);
    },
    async getMany(agentIds) {
      const found = await first.getMany(agentIds);
      const missing = agentIds.filter((id) => !found.has(id));
      if (missing.length === 0) return found;
      for (const [id, agent] of await second.getMany(missing)) found.set(id, agent);
      return found;
    },
  };
}
