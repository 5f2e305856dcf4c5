import { readdirSync } from "node:fs";
import { signToken } from "@chat/core";
import { migrateDatabase, openDatabase } from "@chat/db";
import { type AppName, type AppProcess, freePort, spawnApp } from "../processes";
import { TEST_SECRET } from "../stack";
import { PrivatePostgres } from "./private-postgres";
import { PrivateRedis } from "./private-redis";

/** The database the apps use on the private cluster (pg_stat_activity is counted by it). */
export const APP_DATABASE = "chat";

/** Each app's PostgreSQL pool: small, so a pool that keeps growing (a leak) shows at once. */
export const POOL_SIZE = 4;
/** The edges' message appender has a pool of its own (@chat/db batch-appender, maxInFlight). */
export const APPENDER_CONNECTIONS = 2;

export interface ClusterOptions {
  edges?: number;
  workers?: number;
  /** Extra environment for every app. */
  env?: Record<string, string>;
}

/**
 * The split deployment on loopback for fault injection: one api, N ws-edges and M
 * stream-workers, each its own process (their main.ts), on a private Redis and a private
 * PostgreSQL cluster that the tests may break.
 */
export class ChaosCluster implements AsyncDisposable {
  readonly apps: AppProcess[] = [];
  readonly #ports = new Map<AppProcess, number>();

  private constructor(
    readonly redis: PrivateRedis,
    readonly pg: PrivatePostgres,
    readonly env: Record<string, string>,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<ChaosCluster> {
    const [redis, pg] = await Promise.all([PrivateRedis.start(), PrivatePostgres.start()]);
    await pg.query(`create database ${APP_DATABASE}`);
    const database = await openDatabase({ url: pg.url(APP_DATABASE), maxConnections: 1 });
    await migrateDatabase(database).finally(() => database.close());
    const env = {
      DATABASE_URL: pg.url(APP_DATABASE),
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      REDIS_URL: redis.url,
      JWT_SECRET_KEY: TEST_SECRET,
      // Demo replies of ~10 chunks 100 ms apart: a reply lasts about a second, long enough to
      // kill its worker in the middle.
      STREAM_DELAY_MS: "100",
      STREAM_CLAIM_IDLE_MS: "1500",
      LOG_LEVEL: "warn",
      ...options.env,
    };
    const cluster = new ChaosCluster(redis, pg, env);
    const plan: AppName[] = [
      "api",
      ...Array<AppName>(options.edges ?? 2).fill("ws-edge"),
      ...Array<AppName>(options.workers ?? 2).fill("stream-worker"),
    ];
    try {
      await Promise.all(plan.map((name) => cluster.add(name)));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** Starts one more app process on a new port. */
  async add(name: AppName, port?: number): Promise<AppProcess> {
    const chosen = port ?? (await freePort());
    const app = await spawnApp(name, { ...this.env, SERVICE_PORT: String(chosen) });
    this.#ports.set(app, chosen);
    this.apps.push(app);
    return app;
  }

  of(name: AppName): AppProcess[] {
    return this.apps.filter((app) => app.name === name);
  }

  get api(): AppProcess {
    return this.of("api")[0] as AppProcess;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.api.port}`;
  }

  /** kill -9 `app`, then start its replacement on the same port (as an orchestrator would). */
  async crash(app: AppProcess, options: { restart?: boolean } = {}): Promise<AppProcess | undefined> {
    await app.stop("SIGKILL");
    this.apps.splice(this.apps.indexOf(app), 1);
    if (options.restart === false) return undefined;
    return this.add(app.name, this.#ports.get(app));
  }

  /** Apps that exited without being crashed on purpose, with their last log lines. */
  exited(): string[] {
    return this.apps
      .filter((app) => app.child.exitCode !== null || app.child.signalCode !== null)
      .map(
        (app) =>
          `${app.name} (port ${app.port}) exited ${app.child.exitCode ?? app.child.signalCode}:\n${app.logs.slice(-8).join("\n")}`,
      );
  }

  /** The most PostgreSQL connections the apps may hold together: their pools, full. */
  maxPgConnections(): number {
    return this.apps.length * POOL_SIZE + this.of("ws-edge").length * APPENDER_CONNECTIONS;
  }

  /** The most PostgreSQL connections one app process may hold: its pools, full. */
  pgConnectionsOf(pid: number): number {
    const app = this.apps.find((a) => a.child.pid === pid);
    if (!app) return 0;
    return POOL_SIZE + (app.name === "ws-edge" ? APPENDER_CONNECTIONS : 0);
  }

  token(user: string): Promise<string> {
    return signToken({ sub: user }, { secret: TEST_SECRET });
  }

  /** Open file descriptors of each app process, by pid. */
  openFds(): Map<number, number> {
    const counts = new Map<number, number>();
    for (const app of this.apps) {
      const pid = app.child.pid;
      if (pid !== undefined) counts.set(pid, readdirSync(`/proc/${pid}/fd`).length);
    }
    return counts;
  }

  async close(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.stop("SIGKILL")));
    this.apps.length = 0;
    await Promise.all([this.redis.stop(), this.pg.stop()]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
