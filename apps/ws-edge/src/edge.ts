import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { newConnectionId, toServiceError } from "@chat/core";
import { ChatError, CloseCode, WS_PROTOCOL } from "@chat/protocol";
import { type WebSocket, WebSocketServer } from "ws";
import { Connection } from "./connection";
import { createFrameHandler } from "./frame-handler";
import { resolveOptions, type WsEdgeDeps } from "./options";
import { PresenceTracker } from "./presence";
import { Rooms } from "./rooms";
import { isOriginAllowed, parseUpgradeTarget, type UpgradeTarget } from "./upgrade-request";

export interface WsEdge {
  /**
   * Handle an HTTP upgrade. Returns false when the path is not `/ws/...` (the caller may
   * route it elsewhere); true when this edge took the socket.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  connectionCount(): number;
  /** Bytes held for slow readers right now (ws send buffers plus held-back frames). */
  bufferedBytes(): number;
  /** True once `close()` started: readiness is false, new sockets are refused with 1012. */
  readonly draining: boolean;
  /** Drain: close every socket with 1012 (clients reconnect elsewhere), then stop. Idempotent. */
  close(): Promise<void>;
}

const presenceEntry = (conn: Connection) => ({
  sessionId: conn.sessionId,
  userId: conn.userId,
  connectionId: conn.id,
});

function rejectHttp(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function createWsEdge(deps: WsEdgeDeps): WsEdge {
  const options = resolveOptions(deps);
  const logger = deps.logger;
  // permessage-deflate off: it costs CPU and memory per socket for small JSON frames.
  // clientTracking off: `connections` is the one registry (and a Set entry less per socket).
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
    // Select "chat" when offered; never an offered `bearer.<jwt>` (ws's default would echo the
    // first offer back, the token with it).
    handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const rooms = new Rooms(deps.bus, deps.repo, logger, { ...options, metrics: deps.metrics });
  const presence = new PresenceTracker(deps.bus, options.presenceTtlMs / 1_000, logger);
  const connections = new Set<Connection>();
  const onFrame = createFrameHandler(deps, options);
  let draining = false;
  let closed: Promise<void> | undefined;

  // The heartbeat's presence round in flight: close() waits for it, so it never runs into a bus
  // the runtime closes next (seen: "presence heartbeat failed", bus closed, when an edge with
  // 2,000 sockets stopped in the middle of a round).
  let presenceTick: Promise<void> = Promise.resolve();
  const heartbeat = setInterval(() => {
    const now = Date.now();
    const entries = [];
    for (const conn of connections) {
      conn.heartbeat(now);
      if (!conn.closed) entries.push(presenceEntry(conn));
    }
    onFrame.typing.prune(now);
    presenceTick = presence.tick(entries, [...rooms.sessionIds()]);
  }, options.heartbeatIntervalMs);
  heartbeat.unref();

  /** Accept the socket only to close it with a code the browser can read. */
  function closeWith(ws: WebSocket, error: ChatError): void {
    ws.close(error.closeCode, error.message.slice(0, 120));
    setTimeout(() => ws.terminate(), 2_000).unref();
  }

  async function open(ws: WebSocket, target: UpgradeTarget) {
    if (draining) return closeWith(ws, new ChatError("DRAINING", "Edge is restarting"));
    if (connections.size >= options.maxConnections) {
      return closeWith(ws, new ChatError("TOO_MANY_CONNECTIONS", "Too many connections"));
    }
    // Frames that arrive while the connection is being set up are kept, in order.
    const early: (string | Buffer)[] = [];
    const keepEarly = (data: Buffer, isBinary: boolean) => early.push(isBinary ? data : data.toString());
    ws.on("message", keepEarly);
    let conn: Connection;
    try {
      const user = await deps.verifyToken(target.token);
      // The usual case (an existing session the caller is in) is one query; creating it is rarer.
      let session = await deps.repo.getSessionForUser(target.sessionId, user.userId);
      if (!session) {
        const ensured = await deps.repo.ensureSession(target.sessionId, user.userId);
        if (
          ensured.session.status === "deleted" ||
          !(ensured.created || (await deps.repo.isParticipant(ensured.session.sessionId, user.userId)))
        ) {
          throw new ChatError("SESSION_NOT_FOUND", "Session not found");
        }
        session = ensured.session;
      }
      conn = new Connection(newConnectionId(), ws, user.userId, session, user.expiresAt, deps, options, logger);
      connections.add(conn);
      deps.metrics?.wsConnections.inc();
      let present = false;
      ws.once("close", () => {
        conn.markClosed();
        if (connections.delete(conn)) deps.metrics?.wsConnections.dec();
        rooms.leave(conn.sessionId, conn);
        // A draining edge leaves its presence to expire: see PresenceTracker.
        if (present && !draining) presence.leave(presenceEntry(conn));
      });
      if (target.sinceSeq !== undefined) {
        conn.startFrom(target.sinceSeq);
        conn.holdLive();
      }
      // Subscribe before reading the seq the client starts from: nothing can fall between.
      const lastSeq = await rooms.join(conn.sessionId, conn);
      if (target.sinceSeq === undefined) conn.startFrom(lastSeq);
      conn.send({
        type: "ready",
        session_id: conn.sessionId,
        user_id: conn.userId,
        connection_id: conn.id,
        last_seq: lastSeq,
        heartbeat_interval_ms: options.heartbeatIntervalMs,
        server_time: new Date().toISOString(),
      });
      if (target.sinceSeq !== undefined) await conn.replay(target.sinceSeq);
      if (!conn.closed) {
        present = true;
        await presence.join(presenceEntry(conn)).catch((error: unknown) => {
          logger.warn({ err: error, session_id: conn.sessionId }, "presence join failed");
        });
      }
    } catch (error) {
      const chatError = toServiceError(error);
      if (chatError.code === "INTERNAL") logger.error({ err: error, session_id: target.sessionId }, "connect failed");
      return closeWith(ws, chatError);
    }
    ws.off("message", keepEarly);
    let queue = Promise.resolve();
    // Frames of one socket run one after another, so its messages are stored in send order.
    const enqueue = (raw: string | Buffer) => {
      queue = queue.then(() => onFrame(conn, raw));
    };
    for (const raw of early) enqueue(raw);
    ws.on("message", (data: Buffer, isBinary: boolean) => enqueue(isBinary ? data : data.toString()));
    ws.on("error", (error) => logger.debug({ err: error, connection_id: conn.id }, "socket error"));
    logger.debug({ connection_id: conn.id, session_id: conn.sessionId }, "connected");
  }

  return {
    handleUpgrade(req, socket, head) {
      const target = parseUpgradeTarget(req);
      if (target === undefined) return false;
      if (target === "invalid") {
        rejectHttp(socket, 400, "Bad Request");
        return true;
      }
      if (!isOriginAllowed(req, options.corsOrigins)) {
        rejectHttp(socket, 403, "Forbidden");
        return true;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on("error", () => {}); // errors before setup completes are reported by close
        void open(ws, target);
      });
      return true;
    },
    connectionCount: () => connections.size,
    bufferedBytes() {
      let total = 0;
      for (const conn of connections) total += conn.bufferedBytes;
      return total;
    },
    get draining() {
      return draining;
    },
    close() {
      closed ??= (async () => {
        draining = true;
        clearInterval(heartbeat);
        for (const conn of connections) conn.close(CloseCode.ServiceRestart, "Server restarting");
        const deadline = Date.now() + options.drainTimeoutMs;
        while (connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        for (const conn of connections) conn.socket.terminate();
        await presenceTick;
        // The server stays able to upgrade: a socket that still arrives (the load balancer has
        // not seen /readyz yet) is accepted only to be told 1012, which browsers can read.
      })();
      return closed;
    },
  };
}
