import { APP_DATABASE, type ChaosCluster } from "./cluster";

/** What a quiet cluster holds open. */
export interface Resources {
  /** Redis clients (the apps' connections). */
  redisClients: number;
  /** PostgreSQL backends on the app database. */
  pgBackends: number;
  /** WebSocket connections the edges report open (`chat_ws_connections` on /metrics). */
  wsConnections: number;
  /** Open file descriptors of each app process, by pid. */
  fds: Map<number, number>;
}

export async function measure(cluster: ChaosCluster): Promise<Resources> {
  const [redisClients, pgBackends, wsConnections] = await Promise.all([
    cluster.redis.clientCount(),
    cluster.pg.backendCount(APP_DATABASE),
    openWsConnections(cluster),
  ]);
  return { redisClients, pgBackends, wsConnections, fds: cluster.openFds() };
}

async function openWsConnections(cluster: ChaosCluster): Promise<number> {
  let total = 0;
  for (const edge of cluster.of("ws-edge")) {
    const text = await fetch(`http://127.0.0.1:${edge.port}/metrics`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.text(),
    );
    const line = text.split("\n").find((l) => /^chat_ws_connections(\{[^}]*\})? /.test(l));
    total += Number(line?.split(" ").at(-1) ?? 0);
  }
  return total;
}

/**
 * Descriptors a process may open beyond its baseline without leaking, besides its PostgreSQL
 * pools filling up (lazily, as above): a Redis connection reopened, a keep-alive socket of the
 * metrics scrape. A leak grows with every fault and every client, far past this.
 */
const FD_SLACK = 4;

/** Differences from `base` that did not go away before the deadline ([] when back to baseline). */
export async function backToBaseline(cluster: ChaosCluster, base: Resources, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await measure(cluster);
    const problems: string[] = [];
    if (now.redisClients > base.redisClients) problems.push(`redis clients ${base.redisClients} → ${now.redisClients}`);
    // Pools grow lazily and shrink only after 30 s idle, so the count after a burst of
    // reconnects can exceed the quiet baseline without a leak. What must hold: no app holds
    // more than its pools (a connection leaked or a pool made twice would break it).
    const pgLimit = Math.max(base.pgBackends, cluster.maxPgConnections());
    if (now.pgBackends > pgLimit) problems.push(`pg backends ${base.pgBackends} → ${now.pgBackends}`);
    if (now.wsConnections > base.wsConnections)
      problems.push(`ws connections ${base.wsConnections} → ${now.wsConnections}`);
    for (const [pid, fds] of now.fds) {
      const before = base.fds.get(pid);
      // After a fault that moves every client onto one edge, that edge's pools fill up.
      const allowed = FD_SLACK + cluster.pgConnectionsOf(pid);
      if (before !== undefined && fds > before + allowed) problems.push(`pid ${pid} fds ${before} → ${fds}`);
    }
    if (problems.length === 0 || Date.now() > deadline) return problems;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
