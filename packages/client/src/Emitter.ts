/** A minimal typed event emitter (no Node `events` in a browser-safe package). */
export class Emitter<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
  readonly #listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  /** Calls every listener of `event` in order; a listener that throws does not stop the others. */
  emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as (...a: Parameters<Events[K]>) => void)(...args);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }
}

/** A listener's error must not break the client's own state: report it asynchronously instead. */
export function reportListenerError(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
