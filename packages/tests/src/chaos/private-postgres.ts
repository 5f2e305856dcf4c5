import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../processes";

const run = promisify(execFile);
/** The newest server binaries Debian's postgresql packages installed (/usr/lib/postgresql/<major>/bin). */
const bin = (() => {
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = majors.map((major) => `${root}/${major}/bin`).find((dir) => existsSync(`${dir}/initdb`));
  return found ?? "";
})();
/** PostgreSQL refuses to run as root: then initdb and the server run as the `postgres` user. */
const asRoot = userInfo().uid === 0;

/** Whether a throwaway cluster can be made here (PostgreSQL server binaries, redis-server). */
export const chaosAvailable = bin !== "" && existsSync("/usr/bin/redis-server");

/**
 * A throwaway PostgreSQL cluster (initdb into a temp dir, trust auth, loopback on a free
 * port) that the chaos suite may stop, start and terminate backends of; never the shared one.
 * As root, initdb and the server run as the `postgres` user (PostgreSQL refuses root).
 */
export class PrivatePostgres {
  readonly #dir = mkdtempSync(join(tmpdir(), "chaos-pg-"));
  readonly #data = join(this.#dir, "data");
  readonly #reap = () => {
    try {
      const [command, args] = commandLine("pg_ctl", ["-D", this.#data, "stop", "-m", "immediate"]);
      execFileSync(command, args, { stdio: "ignore" });
    } catch {
      // not running
    }
  };

  private constructor(readonly port: number) {}

  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url(database = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  static async start(): Promise<PrivatePostgres> {
    const pg = new PrivatePostgres(await freePort());
    if (asRoot) chownSync(pg.#dir, uid("postgres"), uid("postgres", "-g"));
    await asPostgres("initdb", ["-D", pg.#data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
    process.once("exit", pg.#reap);
    await pg.startServer();
    return pg;
  }

  /** `pg_ctl start -w`: resolves once it accepts connections. */
  async startServer(): Promise<void> {
    const options = `-p ${this.port} -k ${this.#dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    await asPostgres("pg_ctl", ["-D", this.#data, "-o", options, "-l", join(this.#dir, "log"), "start", "-w"]);
  }

  /** `pg_ctl stop -m fast`: every backend is terminated, the server exits. */
  async stopServer(): Promise<void> {
    await asPostgres("pg_ctl", ["-D", this.#data, "stop", "-m", "fast", "-w"]);
  }

  /** One SQL statement through psql (its own short connection); rows as tab-separated text. */
  async query(sql: string, database = "postgres"): Promise<string> {
    const { stdout } = await run("psql", ["-X", "-At", "-F", "\t", "-d", this.url(database), "-c", sql], {
      timeout: 10_000,
    });
    return stdout.trim();
  }

  /** Backends connected to `database` (psql's own excluded). */
  async backendCount(database: string): Promise<number> {
    const out = await this.query(
      `select count(*) from pg_stat_activity where datname = '${database}' and pid <> pg_backend_pid()`,
    );
    return Number(out);
  }

  /** Terminates every backend on `database` but psql's own; returns how many. */
  async terminateBackends(database: string): Promise<number> {
    const out = await this.query(
      `select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity where datname = '${database}' and pid <> pg_backend_pid()`,
    );
    return Number(out);
  }

  async stop(): Promise<void> {
    this.#reap();
    process.off("exit", this.#reap);
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

function uid(user: string, flag = "-u"): number {
  return Number(execFileSync("id", [flag, user]).toString().trim());
}

function commandLine(tool: string, args: string[]): [string, string[]] {
  return asRoot ? ["runuser", ["-u", "postgres", "--", `${bin}/${tool}`, ...args]] : [`${bin}/${tool}`, args];
}

async function asPostgres(tool: string, args: string[]): Promise<void> {
  const [command, commandArgs] = commandLine(tool, args);
  await run(command, commandArgs, { timeout: 30_000 });
}
