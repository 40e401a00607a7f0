import { ARENA } from '../constants.ts';

/** What the matchmaker needs to know of a room. */
export interface Matchable {
  readonly id: string;
  readonly size: number;
  readonly capacity: number;
}

/**
 * Chooses rooms for players: the fullest room that still has space, so rooms fill up and
 * players meet others quickly; a new room when all are full. Rooms are the caller's (the matchmaker
 * only chooses); it is told when one opens and when one closes.
 */
export class Matchmaker<R extends Matchable> {
  readonly #rooms = new Map<string, R>();
  readonly #create: (id: string, capacity: number) => R;
  readonly #capacity: number;
  #next = 1;

  /** @param create makes a room with the given id (called by {@link place} when every room is full). */
  constructor(create: (id: string, capacity: number) => R, capacity: number = ARENA.roomCapacity) {
    this.#create = create;
    this.#capacity = capacity;
  }

  /** The room a new player should join: the fullest one with space, or a new one. */
  place(): R {
    let best: R | undefined;
    for (const room of this.#rooms.values()) {
      if (room.size < room.capacity && (best === undefined || room.size > best.size)) best = room;
    }
    if (best !== undefined) return best;
    const id = `room-${this.#next++}`;
    const room = this.#create(id, this.#capacity);
    this.#rooms.set(id, room);
    return room;
  }

  /** Forgets a room (call when it empties). */
  remove(id: string): boolean {
    return this.#rooms.delete(id);
  }

  get(id: string): R | undefined {
    return this.#rooms.get(id);
  }

  rooms(): IterableIterator<R> {
    return this.#rooms.values();
  }

  get size(): number {
    return this.#rooms.size;
  }
}
