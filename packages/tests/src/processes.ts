import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export type AppName = "api" | "ws-edge" | "stream-worker" | "standalone";

/** A free loopback port (bind to 0, read it, release it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** One app running as its own process, as its container would run it (its main.ts). */
export interface AppProcess extends AsyncDisposable {
  name: AppName;
  port: number;
  child: ChildProcess;
  /** Every JSON log line the process wrote. */
  logs: string[];
  exited: Promise<number | null>;
  /** SIGTERM (graceful) or SIGKILL (crash). Resolves when the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnApp(name: AppName, env: Record<string, string>): Promise<AppProcess> {
  const port = Number(env.SERVICE_PORT ?? (await freePort()));
  const child = spawn(process.execPath, ["--import", "tsx", `apps/${name}/src/main.ts`], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env, SERVICE_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  let tail = "";
  const collect = (chunk: Buffer) => {
    const lines = (tail + chunk.toString()).split("\n");
    tail = lines.pop() ?? "";
    logs.push(...lines.filter(Boolean));
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  // A test that times out never reaches its cleanup: the children still go when the test
  // process does, instead of holding ports and database connections.
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      process.off("exit", reap);
      resolve(code);
    }),
  );

  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} did not start:\n${logs.slice(-20).join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  /** Sends `signal`; a process still running 15 s later is killed. */
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return { name, port, child, logs, exited, stop, [Symbol.asyncDispose]: () => stop("SIGKILL").then(() => undefined) };
}
