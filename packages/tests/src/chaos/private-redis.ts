import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../processes";

const run = promisify(execFile);

/**
 * A Redis of the chaos suite's own (a `redis-server` child on a free port), so it can be shut
 * down, frozen and have its clients killed without touching the shared one. AOF with
 * `appendfsync always`, as in production (docker-compose): the job stream survives a restart.
 */
export class PrivateRedis {
  child: ChildProcess | undefined;
  readonly url: string;
  readonly #dir = mkdtempSync(join(tmpdir(), "chaos-redis-"));
  readonly #reap = () => this.child?.kill("SIGKILL");

  private constructor(readonly port: number) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    process.once("exit", redis.#reap);
    await redis.spawn();
    return redis;
  }

  /** Starts redis-server (again) on the same port and data directory; resolves once it answers. */
  async spawn(): Promise<void> {
    this.child = spawn(
      "redis-server",
      [
        ...["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.#dir, "--save", ""],
        ...["--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no"],
      ],
      { stdio: "ignore" },
    );
    const deadline = Date.now() + 10_000;
    while ((await this.cli("PING").catch(() => "")) !== "PONG") {
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** One command through redis-cli (its own short connection); the reply as text. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run("redis-cli", ["-p", String(this.port), ...args], { timeout: 5_000 });
    return stdout.trim();
  }

  /** Clients connected, not counting the redis-cli asking. */
  async clientCount(): Promise<number> {
    const list = await this.cli("CLIENT", "LIST");
    return list.split("\n").filter((line) => line && !line.includes("cmd=client|list")).length;
  }

  /** `SHUTDOWN NOSAVE`: Redis goes away at once (the AOF written so far stays). */
  async shutdown(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await this.cli("SHUTDOWN", "NOSAVE").catch(() => {}); // the connection drops: no reply
    await exited;
    this.child = undefined;
  }

  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      child.kill("SIGCONT"); // a frozen server cannot die until it runs again
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    this.child = undefined;
    process.off("exit", this.#reap);
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
