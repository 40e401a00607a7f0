import type { AnyDefinition, Payload } from '@hearth/protocol';

/** Where a feed's items come from: a `HearthClient`, or a `ClientRoom` (its pushes, and `resumed` once the room is back). */
export interface FeedSource {
  on<D extends AnyDefinition>(definition: D, handler: (payload: Payload<D>) => void): () => void;
  on(event: 'resumed', listener: () => void): () => void;
}

/** Options of an {@link OrderedFeed}. */
export interface OrderedFeedOptions<T> {
  /** The item's sequence number: consecutive integers from 1, assigned by the server. */
  seq(item: T): number;
  /** The last sequence number already seen (e.g. from a join reply). @defaultValue 0 */
  after?: number;
  /** Fetches the items after a sequence number, oldest first (an idempotent history request). */
  fetch(after: number): Promise<readonly T[]>;
  /** Receives every item exactly once, in sequence order. */
  deliver(item: T): void;
}

/**
 * Exactly-once, in-order delivery of a sequenced push stream (chat lines, a match log) across
 * drops. A resume gets the pushes queued while the client was away, but pushes that were on the
 * wire when the connection died are lost with it: the feed notices the gap (on `resumed`, or when
 * a later item arrives) and fills it with `fetch`; items seen twice are dropped.
 *
 * @example
 * const feed = new OrderedFeed(client, ChatLine, {
 *   seq: (line) => line.seq,
 *   after: joined.lastSeq,
 *   fetch: async (after) => (await client.request(ChatHistory, { room, after })).lines,
 *   deliver: (line) => show(line),
 * });
 */
export class OrderedFeed<D extends AnyDefinition> {
  readonly #options: OrderedFeedOptions<Payload<D>>;
  readonly #held = new Map<number, Payload<D>>();
  readonly #stop: (() => void)[];
  #next: number;
  #fetching = false;
  #again = false;
  /** Items delivered from pushes and from fetches (for diagnostics). */
  readonly stats = { pushed: 0, fetched: 0, duplicates: 0 };

  /** `source`: the client, or a room (`room.on(Def)` pushes; `fetch` with `room.request`). */
  constructor(source: FeedSource, definition: D, options: OrderedFeedOptions<Payload<D>>) {
    this.#options = options;
    this.#next = (options.after ?? 0) + 1;
    this.#stop = [
      source.on(definition, (item: Payload<D>) => this.#take(item, 'pushed')),
      source.on('resumed', () => void this.catchUp()),
    ];
  }

  /** The last sequence number delivered. */
  get last(): number {
    return this.#next - 1;
  }

  /** Fetches what is missing after {@link last}; runs again if asked while running. */
  catchUp(): Promise<void> {
    return this.#fill(true);
  }

  /** `force`: fetch once more even if a fetch is under way (it may have been sent before a drop). */
  async #fill(force: boolean): Promise<void> {
    if (this.#fetching) {
      this.#again ||= force;
      return;
    }
    this.#fetching = true;
    try {
      let progress: boolean;
      do {
        this.#again = false;
        const before = this.last;
        let items: readonly Payload<D>[];
        try {
          items = await this.#options.fetch(this.last);
        } catch {
          return; // disconnected again: the next `resumed` asks again
        }
        for (const item of items) this.#take(item, 'fetched');
        progress = this.last > before;
      } while (this.#again || (this.#held.size > 0 && progress));
    } finally {
      this.#fetching = false;
    }
  }

  /** Stops listening. */
  stop(): void {
    for (const off of this.#stop.splice(0)) off();
  }

  #take(item: Payload<D>, how: 'pushed' | 'fetched'): void {
    const seq = this.#options.seq(item);
    if (seq < this.#next || this.#held.has(seq)) {
      this.stats.duplicates++;
      return;
    }
    if (seq > this.#next) {
      // A gap: hold this one and fetch what is missing before it.
      this.#held.set(seq, item);
      void this.#fill(false);
      return;
    }
    this.#deliver(item, how);
    for (let held = this.#held.get(this.#next); held !== undefined; held = this.#held.get(this.#next)) {
      this.#held.delete(this.#next);
      this.#deliver(held, 'pushed'); // held items came as pushes
    }
  }

  #deliver(item: Payload<D>, how: 'pushed' | 'fetched'): void {
    this.#next++;
    this.stats[how]++;
    this.#options.deliver(item);
  }
}
