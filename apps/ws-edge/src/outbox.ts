import type { StreamChunkFrame } from "@chat/protocol";

interface Entry {
  /** Serialized frame; undefined after a merge, until it is sent. */
  data: string | undefined;
  chunk: StreamChunkFrame | undefined;
}

/**
 * Frames held back while a socket is behind (its `bufferedAmount` past the soft limit).
 * Consecutive chunks of one stream merge into one chunk: the combined content with the `index`
 * of the last chunk merged, so a client that tracks "highest index seen" stays right and the
 * text it shows is the same as if every chunk had arrived. Indexes then skip; they never repeat.
 */
export class Outbox {
  #entries: Entry[] = [];
  #bytes = 0;

  get length(): number {
    return this.#entries.length;
  }

  /** Approximate bytes held (string lengths). */
  get bytes(): number {
    return this.#bytes;
  }

  push(data: string, chunk: StreamChunkFrame | undefined): void {
    const last = this.#entries.at(-1);
    if (
      chunk &&
      last?.chunk &&
      last.chunk.message_id === chunk.message_id &&
      (last.chunk.attempt ?? 1) === (chunk.attempt ?? 1) &&
      chunk.index > last.chunk.index
    ) {
      last.chunk = { ...last.chunk, content: last.chunk.content + chunk.content, index: chunk.index };
      last.data = undefined;
      this.#bytes += chunk.content.length;
      return;
    }
    this.#entries.push({ data, chunk });
    this.#bytes += data.length;
  }

  /** The oldest frame, serialized. */
  shift(): string | undefined {
    const entry = this.#entries.shift();
    if (!entry) return undefined;
    const data = entry.data ?? JSON.stringify(entry.chunk);
    this.#bytes = Math.max(0, this.#bytes - data.length);
    return data;
  }

  clear(): void {
    this.#entries = [];
    this.#bytes = 0;
  }
}
