import type { ErrorReporter } from "./options";
import type { MessageListener, Unsubscribe } from "./types";

/** How a registry turns "first listener" / "last listener gone" into a real (un)subscription. */
export interface SubscriptionBackend {
  subscribe(channel: string): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
}

interface ChannelState {
  /** One wrapper object per `subscribe` call, so the same function added twice counts twice. */
  listeners: Set<{ listener: MessageListener }>;
  /** True once the backend confirmed the subscription, false once it confirmed the unsubscription. */
  active: boolean;
  /** Tail of this channel's operation chain (see `serialize`). */
  tail: Promise<void>;
  queued: number;
}

/**
 * Reference-counted channel listeners, shared by both bus implementations: one backend
 * subscription per channel however many listeners it has.
 *
 * Every subscribe and unsubscribe of a channel runs one after another on that channel's chain.
 * Without it, "last listener leaves" (UNSUBSCRIBE in flight) racing "new listener arrives" could
 * see the channel as still subscribed, skip SUBSCRIBE, and then lose it to the UNSUBSCRIBE; or
 * two first listeners could both send SUBSCRIBE and later only one UNSUBSCRIBE.
 */
export class ListenerRegistry {
  readonly #channels = new Map<string, ChannelState>();

  constructor(
    private readonly backend: SubscriptionBackend,
    private readonly onError: ErrorReporter,
  ) {}

  /** Channels with a confirmed backend subscription. */
  activeCount(): number {
    let count = 0;
    for (const state of this.#channels.values()) if (state.active) count++;
    return count;
  }

  /** Adds a listener; resolves once the channel's subscription is confirmed. */
  async add(channel: string, listener: MessageListener): Promise<Unsubscribe> {
    const handle = { listener };
    const state = this.#state(channel);
    await this.#serialize(channel, state, async () => {
      if (!state.active) {
        await this.backend.subscribe(channel);
        state.active = true;
      }
      state.listeners.add(handle);
    });
    let removed: Promise<void> | undefined;
    return () => {
      removed ??= this.#serialize(channel, state, async () => {
        state.listeners.delete(handle);
        if (state.listeners.size === 0 && state.active) {
          await this.backend.unsubscribe(channel);
          state.active = false;
        }
      });
      return removed;
    };
  }

  /** Calls every current listener of `channel`; one that throws does not stop the others. */
  dispatch(channel: string, payload: string): void {
    const state = this.#channels.get(channel);
    if (!state) return;
    for (const { listener } of [...state.listeners]) {
      try {
        // Listeners are typed as returning void, but an async one must not leak a rejection.
        const result: unknown = listener(payload, channel);
        if (result instanceof Promise) result.catch((error) => this.onError(error, "listener"));
      } catch (error) {
        this.onError(error, "listener");
      }
    }
  }

  /** Forgets every channel (the bus closed, so the backend subscriptions are gone with it). */
  clear(): void {
    for (const state of this.#channels.values()) {
      state.listeners.clear();
      state.active = false;
    }
    this.#channels.clear();
  }

  #state(channel: string): ChannelState {
    let state = this.#channels.get(channel);
    if (!state) {
      state = { listeners: new Set(), active: false, tail: Promise.resolve(), queued: 0 };
      this.#channels.set(channel, state);
    }
    return state;
  }

  #serialize(channel: string, state: ChannelState, op: () => Promise<void>): Promise<void> {
    state.queued++;
    const run = state.tail.then(op);
    // The chain must survive a failed operation; the caller still sees the failure via `run`.
    state.tail = run.then(
      () => this.#settled(channel, state),
      () => this.#settled(channel, state),
    );
    return run;
  }

  #settled(channel: string, state: ChannelState): void {
    state.queued--;
    const idle = state.queued === 0 && state.listeners.size === 0 && !state.active;
    if (idle && this.#channels.get(channel) === state) this.#channels.delete(channel);
  }
}
