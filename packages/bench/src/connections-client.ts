/**
 * A child of `bench:connections`: opens its share of idle WebSockets to one edge and reports
 * how long they took. The file-descriptor limit (`ulimit -n`) is per process, so the clients
 * are spread over several of these.
 * Env: EDGE_URL, FIRST (index of its first connection), COUNT, SESSIONS, SECRET, CONCURRENCY.
 */
import { signToken } from "@chat/core";
import WebSocket from "ws";

const env = process.env;
const url = env.EDGE_URL ?? "ws://127.0.0.1:8003";
const first = Number(env.FIRST ?? 0);
const count = Number(env.COUNT ?? 1_000);
const sessions = Number(env.SESSIONS ?? 200);
const secret = env.SECRET ?? "bench-secret";
const concurrency = Number(env.CONCURRENCY ?? 200);

const tokens = new Map<number, string>();
async function token(user: number): Promise<string> {
  let t = tokens.get(user);
  if (!t) {
    t = await signToken({ sub: `cu${user}` }, { secret, expiresIn: "2h" });
    tokens.set(user, t);
  }
  return t;
}

const sockets: WebSocket[] = [];
let failed = 0;

async function open(i: number): Promise<void> {
  const session = i % sessions; // user cu{n} owns session conn-{n}: the connect creates it
  const ws = new WebSocket(`${url}/ws/conn-${session}?token=${await token(session)}`, { perMessageDeflate: false });
  await new Promise<void>((resolve) => {
    ws.once("message", () => resolve()); // `ready`
    ws.once("error", () => {
      failed += 1;
      resolve();
    });
    ws.once("close", () => resolve());
  });
  sockets.push(ws);
}

const started = performance.now();
let next = first;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < first + count) await open(next++);
  }),
);
const seconds = (performance.now() - started) / 1_000;
const open_ = sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length;
process.send?.({ open: open_, failed, seconds });
// Stay connected (idle) until the parent ends the run.
process.on("message", () => {
  for (const ws of sockets) ws.terminate();
  process.exit(0);
});
