/**
 * The baseline of `pnpm bench:fanout`: a Socket.IO 4 server with @socket.io/redis-adapter, as
 * one would write it: a client joins its session's room, a `message` is (optionally) stored in
 * PostgreSQL with the next per-session seq, one statement in its own transaction, and then
 * emitted to the room. Run as a process: PORT, REDIS_URL, DATABASE_URL (unset: no storing).
 */
import { createServer } from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import postgres from "postgres";
import { Server } from "socket.io";

const port = Number(process.env.PORT ?? 0);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const databaseUrl = process.env.DATABASE_URL;

const pub = new Redis(redisUrl);
const sub = pub.duplicate();
const sql = databaseUrl ? postgres(databaseUrl, { max: 20, onnotice: () => {} }) : undefined;

const httpServer = createServer();
const io = new Server(httpServer, {
  adapter: createAdapter(pub, sub),
  transports: ["websocket"],
  perMessageDeflate: false,
});

interface Incoming {
  content: string;
  client_msg_id: string;
}

io.on("connection", (socket) => {
  const sessionId = String(socket.handshake.query.session ?? "");
  const userId = String(socket.handshake.query.user ?? "");
  void socket.join(sessionId);
  socket.on("message", async (message: Incoming) => {
    let seq = 0;
    if (sql) {
      const [row] = await sql<{ seq: string }[]>`
        with s as (
          update chat_sessions set last_seq = last_seq + 1 where session_id = ${sessionId} returning last_seq
        )
        insert into chat_messages (session_id, message_id, sender_type, sender_id, message_type, content, client_msg_id, seq, event_seq)
        select ${sessionId}, ${`msg_${message.client_msg_id}`}, 'user', ${userId}, 'text', ${message.content}, ${message.client_msg_id}, s.last_seq, s.last_seq
        from s
        returning seq`;
      seq = Number(row?.seq ?? 0);
    }
    io.to(sessionId).emit("message", {
      type: "message",
      session_id: sessionId,
      sender_id: userId,
      content: message.content,
      client_msg_id: message.client_msg_id,
      seq,
      timestamp: new Date().toISOString(),
    });
  });
});

httpServer.listen(port, "127.0.0.1");
process.on("SIGTERM", () => {
  io.close();
  void sql?.end();
  pub.disconnect();
  sub.disconnect();
  process.exit(0);
});
