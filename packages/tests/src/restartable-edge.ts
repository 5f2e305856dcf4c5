import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { silentLogger } from "@chat/core";
import { createWsEdge, type WsEdge } from "@chat/ws-edge";
import type { TestStack } from "./stack";

/**
 * A ws-edge on a fixed port that tests can knock over: `restart()` drains it (every socket gets
 * 1012) and puts a fresh edge in its place, as a rolling deploy does; `cut()` destroys every TCP
 * connection without a close frame, as a crashed edge or a dropped network does.
 */
export interface RestartableEdge extends AsyncDisposable {
  /** `http://127.0.0.1:PORT`: what a client's `url` option takes. */
  url: string;
  restart(): Promise<void>;
  cut(): void;
  close(): Promise<void>;
}

export async function startRestartableEdge(stack: TestStack): Promise<RestartableEdge> {
  const make = (): WsEdge =>
    createWsEdge({
      repo: stack.repo,
      bus: stack.bus,
      chat: stack.services.chat,
      verifyToken: stack.services.verifyToken,
      logger: silentLogger(),
      corsOrigins: ["http://localhost:9060"],
      drainTimeoutMs: 1_000,
    });
  let edge = make();
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("upgrade", (req, socket, head) => {
    if (!edge.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const handle: RestartableEdge = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async restart() {
      const old = edge;
      edge = make();
      await old.close();
    },
    cut() {
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      await edge.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
    [Symbol.asyncDispose]() {
      return handle.close();
    },
  };
  return handle;
}
