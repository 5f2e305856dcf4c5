import { type AgentRegistry, createStaticAgentRegistry } from "./agents";
import { chainAgentRegistries, createFileAgentRegistry } from "./agents-file";
import { createHttpAgentRegistry } from "./agents-http";
import { createTokenVerifier, type TokenVerifier } from "./auth";
import { type ChatService, createChatService } from "./chat-service";
import type { Runtime } from "./runtime";

export interface Services {
  chat: ChatService;
  agents: AgentRegistry;
  verifyToken: TokenVerifier;
}

/** The services every app builds the same way from its runtime and JWT settings. */
export function createServices(runtime: Pick<Runtime, "repo" | "bus">, env: JwtEnv & AgentEnv): Services {
  return {
    chat: createChatService({ repo: runtime.repo, bus: runtime.bus }),
    agents: createAgentRegistry(env),
    verifyToken: createTokenVerifier({
      secret: env.JWT_SECRET_KEY,
      algorithm: env.JWT_ALGORITHM,
      audience: env.JWT_AUDIENCE,
      issuer: env.JWT_ISSUER,
    }),
  };
}

/** The token settings of `commonEnv`. */
export interface JwtEnv {
  JWT_SECRET_KEY: string;
  JWT_ALGORITHM: "HS256" | "HS384" | "HS512";
  /** Accepted `aud` values; empty or unset → not checked. */
  JWT_AUDIENCE?: readonly string[] | undefined;
  /** Accepted `iss` values; empty or unset → not checked. */
  JWT_ISSUER?: readonly string[] | undefined;
}

/** The agent settings of `commonEnv`. */
export interface AgentEnv {
  AGENT_SERVICE_URL?: string | undefined;
  AGENTS_FILE?: string | undefined;
  /** Seconds. */
  AGENT_CACHE_TTL?: number | undefined;
  AGENT_SERVICE_TIMEOUT_MS?: number | undefined;
}

/**
 * AGENTS_FILE first (operator overrides, openai agents), then the agent-service; with
 * neither, the built-in demo agent as agent 1.
 */
export function createAgentRegistry(env: AgentEnv): AgentRegistry {
  const file = env.AGENTS_FILE ? createFileAgentRegistry(env.AGENTS_FILE) : undefined;
  const service = env.AGENT_SERVICE_URL
    ? createHttpAgentRegistry({
        baseUrl: env.AGENT_SERVICE_URL,
        ttlMs: (env.AGENT_CACHE_TTL ?? 60) * 1_000,
        timeoutMs: env.AGENT_SERVICE_TIMEOUT_MS,
      })
    : undefined;
  if (file && service) return chainAgentRegistries(file, service);
  return file ?? service ?? createStaticAgentRegistry();
}
