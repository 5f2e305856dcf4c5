import type { Redis } from "ioredis";
import { BusClosedError } from "../errors";

/**
 * Connections for blocking reads. A connection in XREADGROUP BLOCK answers nothing else until
 * the block ends, so blocking reads never share the command connection, and two concurrent
 * reads on one bus each get their own connection: up to `max`, opened on demand and kept for
 * reuse. Past `max`, reads wait in FIFO order for a connection to come back; such a read may
 * then take up to its own `blockMs` more.
 */
export class BlockingPool {
  readonly #idle: Redis[] = [];
  readonly #all = new Set<Redis>();
  readonly #waiting: Array<{ resolve: (connection: Redis) => void; reject: (error: Error) => void }> = [];
  #closed = false;

  constructor(
    private readonly open: () => Redis,
    private readonly max: number,
  ) {}

  /** Runs `operation` with a connection of its own. */
  async use<T>(operation: (connection: Redis) => Promise<T>): Promise<T> {
    const connection = await this.#acquire();
    try {
      return await operation(connection);
    } finally {
      this.#release(connection);
    }
  }

  /** Pings the idle connections; busy ones are mid-read and answer with their result. */
  async ping(): Promise<void> {
    await Promise.all(this.#idle.map((connection) => connection.ping()));
  }

  /** Drops every connection at once: QUIT would wait behind a BLOCK in progress. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(new BusClosedError("redis"));
    this.#idle.length = 0;
    for (const connection of this.#all) connection.disconnect();
    this.#all.clear();
  }

  #acquire(): Promise<Redis> {
    if (this.#closed) return Promise.reject(new BusClosedError("redis"));
    const idle = this.#idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.#all.size < this.max) {
      const connection = this.open();
      this.#all.add(connection);
      return Promise.resolve(connection);
    }
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #release(connection: Redis): void {
    if (this.#closed) return;
    const next = this.#waiting.shift();
    if (next) next.resolve(connection);
    else this.#idle.push(connection);
  }
}
