import type { ArenaState } from '@hearth/server/messages';
import type { Mirror } from '@hearth/state';
import type { ArenaModel } from './ArenaModel.ts';

/**
 * Reads a room's synchronised state (the room handle's `Mirror(ArenaState)`, kept equal by the
 * room's patches) into the {@link ArenaModel}: changes of position and score become moves (the
 * patch sequence number standing for the tick). Joins, leaves, chat and tags stay messages
 * (`arenaFeed.ts`).
 */
export class StateSync {
  readonly #mirror: Mirror<typeof ArenaState>;
  readonly #model: ArenaModel;
  readonly #seen = new Map<number, { x: number; y: number; score: number }>();

  constructor(model: ArenaModel, mirror: Mirror<typeof ArenaState>, now: number) {
    this.#model = model;
    this.#mirror = mirror;
    this.read(now);
  }

  /** Players of the state (name, position, score) by player number. */
  players(): ReadonlyMap<number, { name: string; x: number; y: number; score: number }> {
    return this.#mirror.state?.players ?? new Map();
  }

  /** Hands the changes since the last read to the model (call after each patch the mirror took). */
  read(now: number): void {
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
