// A small typed event emitter. Not node:events: an `error` event without a listener must not
// throw (a broken edit in watch mode is routine, not a crash), and listener exceptions must
// not break the rebuild loop that emitted the event.

/** Event name → listener argument tuple. */
export type EventMap = { [event: string]: unknown[] };

type Listener<A extends unknown[]> = (...args: A) => void;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyListener = (...args: any[]) => void;

export class TypedEmitter<E extends EventMap> {
  #listeners = new Map<keyof E, Array<{ fn: AnyListener; once: boolean }>>();

  /** Adds a listener. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    this.#add(event, listener as AnyListener, false);
    return this;
  }

  /** Adds a listener that is removed after its first call. */
  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    this.#add(event, listener as AnyListener, true);
    return this;
  }

  /** Removes a listener added with on() or once(). */
  off<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const list = this.#listeners.get(event);
    const i = list?.findIndex((l) => l.fn === (listener as AnyListener)) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
    return this;
  }

  /** Number of listeners of `event`. */
  listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /**
   * Calls the listeners of `event` in order. Returns false when there were none. A listener
   * that throws does not stop the others; its error goes to `onListenerError`.
   */
  protected emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return false;
    for (const l of [...list]) {
      if (l.once) this.off(event, l.fn);
      try {
        l.fn(...args);
      } catch (e) {
        this.onListenerError(e, event);
      }
    }
    return true;
  }

  /** Called when a listener throws; by default rethrows on a later tick (an uncaught exception). */
  protected onListenerError(error: unknown, _event: keyof E): void {
    queueMicrotask(() => {
      throw error;
    });
  }

  #add(event: keyof E, fn: AnyListener, once: boolean): void {
    if (typeof fn !== "function") throw new TypeError("listener must be a function");
    const list = this.#listeners.get(event) ?? [];
    list.push({ fn, once });
    this.#listeners.set(event, list);
  }
}
