import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Api, type ApiDeps, createApi, createLocalStorage, type FilesOptions } from "@chat/api";
import type { Bus } from "@chat/bus";
import { createTestBus, randomNamespace } from "@chat/bus/testing";
import { type AgentRegistry, createServices, type Logger, type Services, signToken, silentLogger } from "@chat/core";
import { type ChatRepository, createBatchingAppender, createRepository, type Database } from "@chat/db";
import { createTestDatabase } from "@chat/db/testing";
import { createBackends, createStreamWorker, type StreamWorker, type StreamWorkerOptions } from "@chat/stream-worker";
import { createWsEdge, type WsEdge, type WsEdgeOptions } from "@chat/ws-edge";

export const TEST_SECRET = "test-secret";

export interface EdgeHandle {
  edge: WsEdge;
  server: Server;
  url: string;
  bus: Bus;
}

export interface TestStack extends AsyncDisposable {
  /** The test database (`url` set on a real server, for child processes). */
  database: Database & { url?: string };
  /** The bus namespace (for a worker in a child process on the same Redis). */
  namespace: string;
  repo: ChatRepository;
  /** The bus of the api and the worker (edges may have their own, on the same Redis). */
  bus: Bus;
  services: Services;
  api: Api;
  /** Base URL of the api, e.g. http://127.0.0.1:PORT */
  apiUrl: string;
  edges: EdgeHandle[];
  worker: StreamWorker | undefined;
  /** The local storage root of uploads (when `files.storage` was not given). */
  filesDir: string;
  /** `ws://.../ws/{sessionId}?token=...` on edge `edgeIndex`. */
  wsUrl(sessionId: string, token: string, edgeIndex?: number, query?: Record<string, string>): string;
  token(userId: string, expiresIn?: string | number): Promise<string>;
  /** REST call as `userId`. */
  request(userId: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** How many ws-edge instances, each on its own server and bus connection. @default 1 */
  edges?: number;
  /** Run a stream worker. @default true */
  worker?: boolean;
  edgeOptions?: Partial<WsEdgeOptions>;
  chunkSize?: number;
  delayMs?: number;
  /** Extra worker options (timeouts, coalescing, claim idle time...). */
  workerOptions?: Partial<StreamWorkerOptions>;
  /** Agents the services resolve (e.g. from a test's AGENTS_FILE); default: the demo agent. */
  agents?: AgentRegistry;
  logger?: Logger;
  /** Upload settings; the storage defaults to a fresh temp directory (`filesDir`), removed on close. */
  files?: FilesOptions;
  /** Api settings, e.g. the per-user message limit (set `edgeOptions.messagesPerMinute` too, as main.ts does). */
  apiOptions?: Pick<ApiDeps, "messagesPerMinute">;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * The whole service wired as in production, on port 0: api, N edges (each with its own bus
 * connection, so cross-edge traffic really goes through Redis when REDIS_URL is set), a worker.
 * Real PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, embedded otherwise.
 */
export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const logger = options.logger ?? silentLogger();
  const database = await createTestDatabase();
  const namespace = randomNamespace();
  const bus = createTestBus({ namespace, cleanup: true });
  const repo = createRepository(database);
  const services = createServices({ repo, bus }, { JWT_SECRET_KEY: TEST_SECRET, JWT_ALGORITHM: "HS256" });
  if (options.agents) services.agents = options.agents;
  const filesDir = await mkdtemp(path.join(tmpdir(), "chat-files-"));
  const files = { storage: createLocalStorage({ root: filesDir }), urlSecret: TEST_SECRET, ...options.files };
  const api = createApi({
    repo,
    bus,
    ...services,
    logger,
    corsOrigins: ["http://localhost:9060"],
    files,
    ...options.apiOptions,
  });
  const apiServer = createServer(api.app);
  const apiUrl = `http://${await listen(apiServer)}`;

  const edges: EdgeHandle[] = [];
  // Edges store messages with group commit, as in production (apps/ws-edge/src/main.ts).
  const appender = createBatchingAppender(database);
  const edgeRepo: ChatRepository = { ...repo, appendMessage: appender.append };
  for (let i = 0; i < (options.edges ?? 1); i++) {
    // In memory mode every edge shares the one bus (one process); on Redis each has its own.
    const edgeBus = bus.kind === "redis" ? createTestBus({ namespace }) : bus;
    const edge = createWsEdge({
      repo: edgeRepo,
      bus: edgeBus,
      chat: createServices({ repo: edgeRepo, bus: edgeBus }, { JWT_SECRET_KEY: TEST_SECRET, JWT_ALGORITHM: "HS256" })
        .chat,
      verifyToken: services.verifyToken,
      logger,
      corsOrigins: ["http://localhost:9060"],
      ...options.edgeOptions,
    });
    const server = createServer((_req, res) => res.writeHead(404).end());
    server.on("upgrade", (req, socket, head) => {
      if (!edge.handleUpgrade(req, socket, head)) socket.destroy();
    });
    edges.push({ edge, server, url: `ws://${await listen(server)}`, bus: edgeBus });
  }

  const worker =
    options.worker === false
      ? undefined
      : createStreamWorker({
          repo,
          bus,
          agents: services.agents,
          logger,
          consumer: `worker-${namespace}`,
          blockMs: 100,
          drainTimeoutMs: 2_000,
          backends: createBackends({ chunkSize: options.chunkSize ?? 10, delayMs: options.delayMs ?? 5 }),
          ...options.workerOptions,
        });
  worker?.start();

  let closed: Promise<void> | undefined;
  const stack: TestStack = {
    database,
    namespace,
    repo,
    bus,
    services,
    api,
    apiUrl,
    edges,
    worker,
    filesDir,
    wsUrl(sessionId, token, edgeIndex = 0, query = {}) {
      const params = new URLSearchParams({ token, ...query });
      return `${edges[edgeIndex]?.url}/ws/${encodeURIComponent(sessionId)}?${params}`;
    },
    token: (userId, expiresIn) => signToken({ sub: userId }, { secret: TEST_SECRET, expiresIn }),
    async request(userId, method, path, body) {
      const response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await stack.token(userId)}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    close() {
      closed ??= (async () => {
        await worker?.close();
        for (const { edge, server, bus: edgeBus } of edges) {
          await edge.close();
          await new Promise((resolve) => server.close(resolve));
          if (edgeBus !== bus) await edgeBus.close();
        }
        await appender.close();
        await api.close();
        apiServer.closeAllConnections();
        await new Promise((resolve) => apiServer.close(resolve));
        // Disposed, not just closed: the namespace's keys (the job stream, reply markers,
        // buffers) go too, or every run would leave them in the machine's Redis.
        await bus[Symbol.asyncDispose]();
        await database.close();
        await rm(filesDir, { recursive: true, force: true });
      })();
      return closed;
    },
    [Symbol.asyncDispose]() {
      return stack.close();
    },
  };
  return stack;
}
