import type { AgentInfo } from "@chat/core";

/** One turn of the conversation, oldest first. */
export interface HistoryTurn {
  role: "user" | "assistant";
  content: string;
}

export interface ReplyRequest {
  agent: AgentInfo;
  sessionId: string;
  traceId: string | null;
  /** The user message being answered. */
  prompt: string;
  history: HistoryTurn[];
  signal: AbortSignal;
}

/**
 * What an agent backend yields: `connected` once the agent answered (optional; ends the
 * connect timeout), text pieces, then (optionally) usage at the end.
 */
export type ReplyEvent = { type: "connected" } | { type: "text"; text: string } | { type: "usage"; tokensUsed: number };

/** An agent backend (demo, a2a, openai): streams a reply and stops when `signal` aborts. */
export type AgentBackend = (request: ReplyRequest) => AsyncIterable<ReplyEvent>;
