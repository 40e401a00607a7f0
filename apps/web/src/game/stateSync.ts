import { ArenaState } from '@hearth/server/messages';
import { Mirror } from '@hearth/state';
import type { ArenaModel } from './ArenaModel.ts';

/**
 * A room's synchronised state: a `Mirror(ArenaState)` kept equal by the
 * room's patches, whose changes of position and score are handed to the {@link ArenaModel} as
 * moves (the patch sequence number standing for the tick). Joins, leaves, chat and tags stay
 * messages (`arenaFeed.ts`).
 */
export class StateSync {
  readonly #mirror = new Mirror(ArenaState);
  readonly #model: ArenaModel;
  readonly #seen = new Map<number, { x: number; y: number; score: number }>();

  /** @param full the join reply's full state. */
  constructor(model: ArenaModel, full: Uint8Array, now: number) {
    this.#model = model;
    this.#mirror.apply(full);
    this.#read(now);
  }

  /**
   * Applies one patch. Returns false when a patch was missed (the mirror is stale): the caller
   * asks for the full state and passes it to {@link apply} again.
   */
  apply(bytes: Uint8Array, now: number): boolean {
    try {
      if (this.#mirror.apply(bytes) === 'old') return true;
    } catch (err) {
      if (!this.#mirror.stale) throw err;
      return false;
    }
    this.#read(now);
    return true;
  }

  /** Players of the state (name, position, score) by player number. */
  players(): ReadonlyMap<number, { name: string; x: number; y: number; score: number }> {
    return this.#mirror.state?.players ?? new Map();
  }

  #read(now: number): void {
    const moved: number[] = [];
    for (const [pid, p] of this.players()) {
      const seen = this.#seen.get(pid);
      if (seen === undefined || seen.x !== p.x || seen.y !== p.y) moved.push(pid, p.x, p.y);
      const view = this.#model.players.get(pid);
      if (view !== undefined) view.score = p.score;
      this.#seen.set(pid, { x: p.x, y: p.y, score: p.score });
    }
    for (const pid of this.#seen.keys()) if (!this.players().has(pid)) this.#seen.delete(pid);
    if (moved.length > 0) this.#model.moved(this.#mirror.seq, moved, now);
  }
}
