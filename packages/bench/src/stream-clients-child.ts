/**
 * The WebSocket clients of `pnpm bench:stream`, in a process of their own: the bench's main
 * process hosts the upstream, whose event loop then never delays a client's receive time (nor a
 * client the upstream's emit). Told over IPC which sessions to join and when to run; answers with
 * every client's turns. Clock: `now()` (performance.timeOrigin + performance.now(), the wall
 * clock at microsecond precision, the same in every process of the machine).
 */
import { StreamClient, type Turn } from "./lib/stream-client";

type Command = { open: string[] } | { run: { rounds: number; staggerMs: number } } | { close: true };

let clients: StreamClient[] = [];

/** Every client's turns, round by round; client i starts at i × stagger / count. */
function run(rounds: number, staggerMs: number): Promise<Turn[][]> {
  return Promise.all(
    clients.map(async (client, i) => {
      await new Promise((resolve) => setTimeout(resolve, (i * staggerMs) / clients.length));
      const turns: Turn[] = [];
      for (let round = 0; round < rounds; round++) turns.push(await client.turn());
      return turns;
    }),
  );
}

process.on("message", (command: Command) => {
  void (async () => {
    if ("open" in command) {
      clients = command.open.map((url) => new StreamClient(url));
      await Promise.all(clients.map((client) => client.ready));
      process.send?.({ opened: clients.length });
    } else if ("run" in command) {
      process.send?.({ turns: await run(command.run.rounds, command.run.staggerMs) });
    } else {
      for (const client of clients) client.close();
      clients = [];
      process.send?.({ closed: true });
    }
  })().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
process.send?.({ started: true });
