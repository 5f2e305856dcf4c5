import { randomUUID } from "node:crypto";
import { AGENT_CARD_PATH, type Message, type Part, Role, TaskState } from "@a2a-js/sdk";
import {
  type Client,
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from "@a2a-js/sdk/client";
import { ChatError } from "@chat/protocol";
import type { AgentBackend } from "./backend";
import { agentFailure } from "./errors";

export interface A2aAgentOptions {
  /** How long a resolved agent card (and its client) is reused, in ms. @default 300_000 */
  cardTtlMs?: number;
  /** Timeout of the agent-card request, in ms. @default 5_000 */
  cardTimeoutMs?: number;
  /** For tests. @default globalThis.fetch */
  fetch?: typeof fetch;
}

function textOf(parts: readonly Part[] | undefined): string {
  let text = "";
  for (const part of parts ?? []) if (part.content?.$case === "text") text += part.content.value;
  return text;
}

const FAILED = new Set([TaskState.TASK_STATE_FAILED, TaskState.TASK_STATE_REJECTED, TaskState.TASK_STATE_CANCELED]);

/**
 * The platform's agents: A2A over JSON-RPC with `@a2a-js/sdk` (v1.0, and v0.3 peers through
 * the SDK's compat layer). `message/stream` with `contextId` = session id and the trace id as
 * `X-Trace-Id`; the SDK falls back to `message/send` when the card says the agent does not
 * stream. Status-update messages and artifact-update parts become text; a final artifact that
 * repeats what the status updates already streamed is not sent twice.
 */
export function createA2aAgent(options: A2aAgentOptions = {}): AgentBackend {
  const cardTtlMs = options.cardTtlMs ?? 300_000;
  const cardTimeoutMs = options.cardTimeoutMs ?? 5_000;
  const baseFetch = options.fetch ?? globalThis.fetch;
  const cardFetch: typeof fetch = (input, init) =>
    baseFetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(cardTimeoutMs) });
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl: baseFetch, legacyCompat: { enabled: true } })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl: cardFetch, legacyCompat: { enabled: true } }),
    }),
  );
  const clients = new Map<string, { client: Promise<Client>; expiresAt: number }>();

  /**
   * The card lives beside the endpoint (`{a2a_endpoint}/.well-known/agent-card.json`) for
   * agents mounted under a path, or at the host's root; a URL ending in `.json` is the card.
   */
  async function resolveClient(endpoint: string): Promise<Client> {
    if (endpoint.endsWith(".json")) return factory.createFromUrl(endpoint, "");
    try {
      return await factory.createFromUrl(`${endpoint.replace(/\/+$/, "")}/${AGENT_CARD_PATH}`, "");
    } catch (error) {
      const root = new URL(endpoint).origin;
      if (root === endpoint.replace(/\/+$/, "")) throw error;
      return factory.createFromUrl(root);
    }
  }

  function clientFor(endpoint: string): Promise<Client> {
    const cached = clients.get(endpoint);
    if (cached && cached.expiresAt > Date.now()) return cached.client;
    const client = resolveClient(endpoint);
    clients.set(endpoint, { client, expiresAt: Date.now() + cardTtlMs });
    // A failed card fetch is not cached: the next reply tries again.
    client.catch(() => clients.delete(endpoint));
    return client;
  }

  return async function* a2a({ agent, sessionId, traceId, prompt, signal }) {
    const what = `Agent ${agent.id}`;
    if (!agent.a2a_endpoint) throw new ChatError("AGENT_ERROR", `${what} has no A2A endpoint`);
    const message: Message = {
      messageId: randomUUID(),
      contextId: sessionId,
      taskId: "",
      role: Role.ROLE_USER,
      parts: [
        { content: { $case: "text", value: prompt }, metadata: undefined, filename: "", mediaType: "text/plain" },
      ],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    };
    let streamedViaStatus = "";
    let emitted = false;
    try {
      const client = await clientFor(agent.a2a_endpoint);
      signal.throwIfAborted();
      const events = client.sendMessageStream(
        { tenant: "", message, configuration: undefined, metadata: undefined },
        { signal, serviceParameters: traceId ? { "X-Trace-Id": traceId } : {} },
      );
      let connected = false;
      for await (const event of events) {
        if (!connected) {
          connected = true;
          yield { type: "connected" };
        }
        const payload = event.payload;
        if (!payload) continue;
        let text = "";
        switch (payload.$case) {
          case "message":
            text = textOf(payload.value.parts);
            break;
          case "task": {
            const task = payload.value;
            if (task.status && FAILED.has(task.status.state))
              throw new ChatError("AGENT_ERROR", `${what} failed the task`);
            // A whole task arrives first in a stream (usually empty) or as the non-streaming answer.
            if (!emitted)
              text = task.artifacts.map((a) => textOf(a.parts)).join("") || textOf(task.status?.message?.parts);
            break;
          }
          case "statusUpdate": {
            const status = payload.value.status;
            if (status && FAILED.has(status.state)) throw new ChatError("AGENT_ERROR", `${what} failed the task`);
            text = textOf(status?.message?.parts);
            streamedViaStatus += text;
            break;
          }
          case "artifactUpdate": {
            text = textOf(payload.value.artifact?.parts);
            if (streamedViaStatus && !payload.value.append && text === streamedViaStatus) text = "";
            break;
          }
        }
        if (text) {
          emitted = true;
          yield { type: "text", text };
        }
      }
    } catch (error) {
      signal.throwIfAborted();
      throw agentFailure(error, what);
    }
  };
}
