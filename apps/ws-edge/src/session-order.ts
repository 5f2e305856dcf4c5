import type { LiveEvent } from "./event";

/** Reads the stored events the bus did not (yet) bring: `(afterSeq, upToSeq]`, in seq order. */
export type GapFetcher = (afterSeq: number, upToSeq: number) => Promise<LiveEvent[]>;

export interface SessionOrderOptions {
  /** Receives every event once, stored events in seq order. */
  release: (event: LiveEvent) => void;
  fetchGap: GapFetcher;
  /** How long a missing seq is waited for before it is read from PostgreSQL. */
  gapWaitMs: number;
  onError: (error: unknown) => void;
}

/**
 * Puts one session's live events back in seq order. Two edges that store seq 5 and 6 at the
 * same moment may publish 6 first; Redis keeps each publisher's order, not the order between
 * publishers. Events after a missing seq wait (unstored ones too: a chunk must not overtake its
 * stream_start); the missing one usually arrives within a millisecond. If it has not arrived
 * after `gapWaitMs`, the gap is read from PostgreSQL, which is authoritative: seq N+1 is only
 * assigned after N committed, so whatever is not there by then was superseded (an edit or a
 * finished reply moved its message to a later event seq) and is skipped.
 */
export class SessionOrder {
  /** Highest seq released; undefined until `start`. */
  #released: number | undefined;
  #waiting: LiveEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #fetching = false;
  #closed = false;

  constructor(private readonly options: SessionOrderOptions) {}

  /** The seq live delivery continues from (what a socket joining now is told in `ready`). */
  get released(): number | undefined {
    return this.#released;
  }

  /** Begin releasing: everything up to `lastSeq` is history, read from PostgreSQL by whoever needs it. */
  start(lastSeq: number): void {
    this.#released = lastSeq;
    this.#drain();
  }

  push(event: LiveEvent): void {
    if (this.#closed) return;
    if (this.#released !== undefined && this.#waiting.length === 0) {
      if (event.seq === undefined || event.seq === this.#released + 1) {
        if (event.seq !== undefined) this.#released = event.seq;
        this.options.release(event);
        return;
      }
      if (event.seq <= this.#released) return; // already released, or history
    }
    this.#waiting.push(event);
    this.#drain();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#waiting = [];
  }

  /** Release what can go; arm the gap timer if something still waits for a missing seq. */
  #drain(skipThrough = 0): void {
    if (this.#released === undefined) return;
    while (this.#waiting.length > 0) {
      const head = this.#waiting[0] as LiveEvent;
      const next: number = this.#released + 1;
      if (head.seq === undefined || head.seq <= this.#released) {
        this.#waiting.shift();
        if (head.seq === undefined) this.options.release(head);
        continue;
      }
      if (head.seq === next) {
        this.#waiting.shift();
        this.#released = next;
        this.options.release(head);
        continue;
      }
      // The head is ahead of a gap: the missing seq may have arrived behind it.
      const fill = this.#waiting.findIndex((e) => e.seq === next);
      if (fill >= 0) {
        const [event] = this.#waiting.splice(fill, 1);
        this.#released = next;
        this.options.release(event as LiveEvent);
        continue;
      }
      if (next <= skipThrough) {
        // Confirmed absent from PostgreSQL: superseded by a later event.
        this.#released = Math.min(skipThrough, this.#lowestWaitingSeq() - 1);
        continue;
      }
      break;
    }
    if (this.#waiting.length === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else if (!this.#timer && !this.#fetching) {
      this.#timer = setTimeout(() => void this.#fillGap(), this.options.gapWaitMs);
    }
  }

  /** Lowest seq still to release among the waiting events. */
  #lowestWaitingSeq(): number {
    const released = this.#released ?? 0;
    let lowest = Number.POSITIVE_INFINITY;
    for (const { seq } of this.#waiting) if (seq !== undefined && seq > released && seq < lowest) lowest = seq;
    return lowest;
  }

  async #fillGap(): Promise<void> {
    this.#timer = undefined;
    if (this.#closed || this.#released === undefined) return;
    let highest = 0;
    for (const event of this.#waiting) if (event.seq !== undefined && event.seq > highest) highest = event.seq;
    this.#fetching = true;
    try {
      const found = await this.options.fetchGap(this.#released, highest);
      if (this.#closed) return;
      const waitingSeqs = new Set(this.#waiting.map((e) => e.seq));
      // A live frame says more than its stored row (e.g. stream_start): prefer it.
      for (const event of found) if (!waitingSeqs.has(event.seq)) this.#waiting.push(event);
    } catch (error) {
      // Skipping beats stalling the session: clients can still recover the gap with `sync`.
      this.options.onError(error);
    } finally {
      this.#fetching = false;
    }
    this.#drain(highest);
  }
}
