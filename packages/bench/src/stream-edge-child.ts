/**
 * The ws-edge of `pnpm bench:stream`, in its own process (wired as apps/ws-edge/src/main.ts
 * does: group-committed appends, its own bus connection), so that its CPU per chunk is measured
 * apart from the clients, the api and the upstream. Sends its port when listening and answers
 * "cpu" messages over IPC (see lib/child-report.ts).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestBus } from "@chat/bus/testing";
import { createServices, silentLogger } from "@chat/core";
import { createBatchingAppender, createRepository, openDatabase } from "@chat/db";
import { TEST_SECRET } from "@chat/tests";
import { createWsEdge } from "@chat/ws-edge";
import { answerCpuReports } from "./lib/child-report";

const env = process.env;
answerCpuReports();
const database = await openDatabase({
  url: env.CHILD_DATABASE_URL,
  maxConnections: Number(env.DATABASE_POOL_SIZE ?? 20),
});
const bus = createTestBus({ namespace: env.CHILD_NAMESPACE });
const appender = createBatchingAppender(database);
const repo = { ...createRepository(database), appendMessage: appender.append };
const services = createServices({ repo, bus }, { JWT_SECRET_KEY: TEST_SECRET, JWT_ALGORITHM: "HS256" });
const edge = createWsEdge({
  repo,
  bus,
  chat: services.chat,
  verifyToken: services.verifyToken,
  logger: silentLogger(),
  corsOrigins: ["http://localhost:9060"],
  maxConnections: Number(env.BENCH_MAX_CONNECTIONS ?? 1_000),
});
const server = createServer((_req, res) => res.writeHead(404).end());
server.on("upgrade", (req, socket, head) => {
  if (!edge.handleUpgrade(req, socket, head)) socket.destroy();
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

process.on("message", (message) => {
  if (typeof message === "object" && message !== null && "stop" in message) {
    void edge
      .close()
      .then(() => new Promise((resolve) => server.close(resolve)))
      .then(() => appender.close())
      .then(() => bus.close())
      .then(() => database.close())
      .then(() => process.exit(0));
  }
});
process.send?.({ port: (server.address() as AddressInfo).port });
