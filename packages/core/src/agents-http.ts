import { z } from "zod";
import type { AgentInfo, AgentRegistry } from "./agents";

export interface HttpAgentRegistryOptions {
  /** The agent-service base URL (AGENT_SERVICE_URL); `/api/agents/{id}` is appended. */
  baseUrl: string;
  /** How long a found agent is cached, in ms. @default 60_000 */
  ttlMs?: number;
  /** How long "no such agent" (404) is cached, in ms. @default 10_000 */
  negativeTtlMs?: number;
  /** Per-request timeout, in ms. @default 3_000 */
  timeoutMs?: number;
  /** Most entries cached (oldest evicted first). @default 10_000 */
  maxEntries?: number;
  /** For tests. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The agent-service record; extra fields are ignored, a `data` envelope is unwrapped. */
const agentRecord = z.object({
  id: z.coerce.number().int().optional(),
  name: z.string(),
  logo_url: z.string().nullish(),
  a2a_endpoint: z.string().nullish(),
  framework: z.string().nullish(),
});

export function agentFromRecord(id: number, body: unknown): AgentInfo | undefined {
  const unwrapped =
    typeof body === "object" && body !== null && "data" in body && !("name" in body)
      ? (body as { data: unknown }).data
      : body;
  const parsed = agentRecord.safeParse(unwrapped);
  if (!parsed.success) return undefined;
  const record = parsed.data;
  return {
    id,
    name: record.name,
    logo_url: record.logo_url ?? null,
    framework: record.framework ?? null,
    a2a_endpoint: record.a2a_endpoint ?? null,
    // The platform's agents all speak A2A; one without an endpoint cannot be called.
    backend: record.a2a_endpoint ? "a2a" : record.framework === "demo" ? "demo" : "a2a",
  };
}

interface CacheEntry {
  agent: AgentInfo | undefined;
  expiresAt: number;
}

/**
 * Agents from the platform's agent-service, cached with a TTL (404s too, for less time).
 * Concurrent lookups of one id share one request; `getMany` fetches distinct ids in parallel.
 * A failed lookup (timeout, 5xx) is not cached and rejects, so callers can tell "unknown
 * agent" (undefined) from "agent-service down" (an error).
 */
export function createHttpAgentRegistry(options: HttpAgentRegistryOptions): AgentRegistry {
  const base = options.baseUrl.replace(/\/+$/, "");
  const ttlMs = options.ttlMs ?? 60_000;
  const negativeTtlMs = options.negativeTtlMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 3_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const doFetch = options.fetch ?? globalThis.fetch;
  const cache = new Map<number, CacheEntry>();
  const inFlight = new Map<number, Promise<AgentInfo | undefined>>();

  async function fetchAgent(id: number): Promise<AgentInfo | undefined> {
    const response = await doFetch(`${base}/api/agents/${id}`, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`agent-service answered ${response.status} for agent ${id}`);
    const agent = agentFromRecord(id, await response.json());
    if (!agent) throw new Error(`agent-service sent a malformed record for agent ${id}`);
    return agent;
  }

  function remember(id: number, agent: AgentInfo | undefined) {
    if (cache.size >= maxEntries) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(id, { agent, expiresAt: Date.now() + (agent ? ttlMs : negativeTtlMs) });
  }

  function get(id: number): Promise<AgentInfo | undefined> {
    const cached = cache.get(id);
    if (cached && cached.expiresAt > Date.now()) return Promise.resolve(cached.agent);
    const pending = inFlight.get(id);
    if (pending) return pending;
    const request = fetchAgent(id)
      .then((agent) => {
        remember(id, agent);
        return agent;
      })
      .finally(() => inFlight.delete(id));
    inFlight.set(id, request);
    return request;
  }

  return {
    get,
    async getMany(agentIds) {
      const ids = [...new Set(agentIds)];
      const results = await Promise.allSettled(ids.map((id) => get(id)));
      const found = new Map<number, AgentInfo>();
      results.forEach((result, i) => {
        // A list page degrades (no agent name) rather than failing when one lookup fails.
        if (result.status === "fulfilled" && result.value) found.set(ids[i] as number, result.value);
      });
      return found;
    },
  };
}
