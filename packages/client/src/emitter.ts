/** A listener map keyed by event name: `{ message: (frame: MessageFrame) => void, ... }`. */
// biome-ignore lint/suspicious/noExplicitAny: listener arguments are typed per event by the map
export type EventMap = Record<string, (...args: any[]) => void>;

/**
 * The smallest typed emitter that does the job (browsers have no node:events). A listener that
 * throws does not stop the others: the error is rethrown asynchronously so it still surfaces.
 */
export class Emitter<E extends EventMap> {
  #listeners = new Map<keyof E, Set<E[keyof E]>>();

  /** Subscribe; returns the function that unsubscribes. */
  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  off<K extends keyof E>(event: K, listener: E[K]): void {
    this.#listeners.get(event)?.delete(listener);
  }

  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
