import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createConnection } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

/** The repository root (packages/bench/src/lib → ../../../..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A space-separated setting (node flags, NAME=value pairs) as its words; [] when unset. */
export const words = (list: string | undefined): string[] => list?.split(" ").filter(Boolean) ?? [];

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise<boolean>((done) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}

/** Throws when a port a benchmark is about to use is taken (e.g. by a run still going). */
export async function assertPortFree(port: number): Promise<void> {
  if (await listening(port)) throw new Error(`port ${port} is in use: is another benchmark still running?`);
}

/** Resolves once something listens on `port`. */
export async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await listening(port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await sleep(100);
  }
}

/** Everything spawned here, killed when the benchmark exits however it exits. */
const children = new Set<ChildProcess>();
const killAll = () => {
  for (const child of children) child.kill("SIGKILL");
};
process.once("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/**
 * A TypeScript entry point as its own node process (one pid: `node --import tsx`, not the tsx
 * wrapper); a built `.js` entry runs on plain node, as in production.
 */
export function spawnTs(entry: string, env: Record<string, string>, extraArgs: string[] = []): ChildProcess {
  const loader = entry.endsWith(".ts") ? ["--import", "tsx"] : [];
  const child = spawn(process.execPath, [...extraArgs, ...loader, resolve(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/**
 * An app's production bundle (`apps/<app>/dist/main.js`, what its container runs), built first
 * (turbo: a no-op when nothing changed) so that a benchmark never measures stale output.
 */
export function builtApp(app: string): string {
  const entry = `apps/${app}/dist/main.js`;
  if (built.has(app)) return entry;
  const result = spawnSync(
    "pnpm",
    ["exec", "turbo", "run", "build", `--filter=@chat/${app}`, "--output-logs=errors-only"],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  if (result.status !== 0) throw new Error(`building ${app} failed`);
  built.add(app);
  return entry;
}
const built = new Set<string>();

/** A private redis-server for the run (the shared one serves other work whose CPU would count). */
export async function startRedis(port: number): Promise<{ url: string; pid: number; stop(): void }> {
  const child = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  children.add(child);
  await waitForPort(port);
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid ?? 0, stop: () => child.kill("SIGTERM") };
}

/** A fresh database on the PostgreSQL server of `serverUrl`, dropped by `drop()`. */
export async function createDatabase(serverUrl: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `chat_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await sql.unsafe(`drop database if exists ${name} with (force)`);
      await sql.end();
    },
  };
}

/** Pids of the PostgreSQL backends serving `database` right now. */
export async function backendPids(serverUrl: string, database: string): Promise<number[]> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<
      { pid: number }[]
    >`select pid from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()`;
    return rows.map((row) => row.pid);
  } finally {
    await sql.end();
  }
}
