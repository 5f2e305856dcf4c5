import { errorCatalog, isErrorCode } from "@chat/protocol";
import type { ChaosCluster } from "./cluster";
import { APP_DATABASE } from "./cluster";
import { postRetrying } from "./conversation";

/** How the REST probes went while a fault lasted. */
export interface ProbeFigures {
  requests: number;
  ok: number;
  /** Answered with an error whose catalog code is retryable (e.g. 503 UNAVAILABLE), or refused. */
  retryable: number;
  /** Answered with anything else: a non-retryable code, or a body without a catalog code. */
  unclear: string[];
  /** No answer within the bound: the service hung. */
  hung: number;
  /** Which requests hung, and when they started (ms since epoch). */
  hungRequests: string[];
}

/** Every request is bounded: a service that cannot answer must say so, not hang. */
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Sends a REST read and a REST post every `everyMs` into a session of its own until stopped,
 * each bounded by a timeout, and classifies the answers. Posts answered 201 are remembered:
 * `lostPosts` checks afterwards that each was stored (an acknowledged message is never lost).
 */
export class Probe {
  readonly figures: ProbeFigures = {
    requests: 0,
    ok: 0,
    retryable: 0,
    unclear: [],
    hung: 0,
    hungRequests: [],
  };
  readonly #stored: string[] = [];
  #running = true;
  #loop: Promise<void> = Promise.resolve();

  private constructor(
    private readonly cluster: ChaosCluster,
    readonly sessionId: string,
    private readonly token: string,
  ) {}

  static async start(cluster: ChaosCluster, everyMs = 200): Promise<Probe> {
    const token = await cluster.token("prober");
    const created = await postRetrying(`${cluster.apiUrl}/api/chat/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    const { session_id } = (await created.json()) as { session_id: string };
    const probe = new Probe(cluster, session_id, token);
    probe.#loop = probe.#run(everyMs);
    return probe;
  }

  async stop(): Promise<ProbeFigures> {
    this.#running = false;
    await this.#loop;
    return this.figures;
  }

  /** Posts acknowledged with 201 that are not stored. */
  async lostPosts(): Promise<number> {
    if (this.#stored.length === 0) return 0;
    const ids = this.#stored.map((id) => `'${id}'`).join(",");
    const found = await this.cluster.pg.query(
      `select count(*) from chat_messages where message_id in (${ids})`,
      APP_DATABASE,
    );
    return this.#stored.length - Number(found);
  }

  async #run(everyMs: number): Promise<void> {
    for (let i = 0; this.#running; i++) {
      const base = `${this.cluster.apiUrl}/api/chat/sessions/${this.sessionId}/messages`;
      await Promise.all([
        this.#request(`${base}?limit=5`, { method: "GET" }),
        this.#request(base, { method: "POST", body: JSON.stringify({ content: `probe ${i}` }) }),
      ]);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }

  async #request(url: string, init: RequestInit): Promise<void> {
    this.figures.requests += 1;
    const startedAt = Date.now();
    const headers = { authorization: `Bearer ${this.token}`, "content-type": "application/json" };
    let response: Response;
    let body: { error?: { code?: unknown }; message_id?: string };
    try {
      response = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      body = (await response.json()) as typeof body;
    } catch (error) {
      if (error instanceof Error && error.name === "TimeoutError") {
        this.figures.hung += 1;
        this.figures.hungRequests.push(`${init.method} ${url} at ${startedAt}`);
      }
      // The api process itself is down (connection refused): a gateway answers 502 for it, and
      // that is not what the probe measures.
      else this.figures.retryable += 1;
      return;
    }
    if (response.ok) {
      this.figures.ok += 1;
      if (response.status === 201 && body.message_id) this.#stored.push(body.message_id);
      return;
    }
    const code = body.error?.code;
    if (clearlyRetryable(code) && response.status >= 500) this.figures.retryable += 1;
    else this.figures.unclear.push(`${init.method} ${response.status} ${String(code)}`);
  }
}

/**
 * A retryable code of the catalog that says what happened: INTERNAL is retryable too, but
 * means the service did not recognise a dependency being away (it should say UNAVAILABLE).
 */
function clearlyRetryable(code: unknown): boolean {
  return isErrorCode(code) && errorCatalog[code].retryable && code !== "INTERNAL";
}

/** Error frames whose code is not a clear retryable one from the catalog. */
export function unclearErrorFrames(frames: { code: string }[]): string[] {
  return frames.filter((f) => !clearlyRetryable(f.code)).map((f) => f.code);
}
