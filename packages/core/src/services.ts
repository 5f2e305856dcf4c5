import { type AgentRegistry, createStaticAgentRegistry } from "./agents";
import { createTokenVerifier, type TokenVerifier } from "./auth";
import { type ChatService, createChatService } from "./chat-service";
import type { Runtime } from "./runtime";

export interface Services {
  chat: ChatService;
  agents: AgentRegistry;
  verifyToken: TokenVerifier;
}

/** The services every app builds the same way from its runtime and JWT settings. */
export function createServices(
  runtime: Pick<Runtime, "repo" | "bus">,
  env: { JWT_SECRET_KEY: string; JWT_ALGORITHM: "HS256" | "HS384" | "HS512" },
): Services {
  return {
    chat: createChatService({ repo: runtime.repo, bus: runtime.bus }),
    agents: createStaticAgentRegistry(),
    verifyToken: createTokenVerifier({ secret: env.JWT_SECRET_KEY, algorithm: env.JWT_ALGORITHM }),
  };
}
