import { FixedTicker } from './FixedTicker.ts';
import type { PersistedLifecycle } from './checkpoint/RoomCheckpoint.ts';
import { DEFAULT_MAX_CATCH_UP, DEFAULT_TICK_HZ } from './RoomDefinition.ts';
import type { RoomInstance } from './RoomInstance.ts';
import { RoomLifecycle } from './RoomLifecycle.ts';

/** What the runtime tells its room. @internal */
export interface RuntimeEvents {
  /** After each burst of ticks (prune, flush, checkpoint cadence). */
  afterBurst(): void;
  /** The statechart changed phase. */
  phaseChanged(): void;
}

/**
 * The timed parts of one room, on the node's clock: its fixed-timestep tick ({@link FixedTicker}),
 * its `.lifecycle` statechart ({@link RoomLifecycle}) and its empty timer. @internal
 */
export class RoomRuntime {
  ticker: FixedTicker | undefined;
  lifecycle: RoomLifecycle | undefined;
  readonly #room: RoomInstance;
  #emptyTimer: unknown;

  constructor(room: RoomInstance) {
    this.#room = room;
  }

  /** Starts the statechart (from a persisted snapshot when restored), then the tick at `firstTick`. */
  start(persisted: PersistedLifecycle | undefined, firstTick: number, events: RuntimeEvents): void {
    const room = this.#room;
    const definition = room.definition;
    const machine = definition.lifecycleMachine;
    if (machine !== undefined && !room.disposed) {
      this.lifecycle = new RoomLifecycle(machine, room, room.clock, room.log, () => void room.dispose(), () => events.phaseChanged(), persisted);
    }
    room.flush();
    const tick = definition.tickHandler;
    if (tick === undefined || room.disposed) return;
    const spec = definition.spec;
    const run = (dt: number, n: number): void => {
      try {
        tick(room, dt, n);
      } catch (err) {
        room.log.error({ err, tick: n }, 'room tick threw; the room carries on');
      }
    };
    this.ticker = new FixedTicker(room.clock, spec.tickHz ?? DEFAULT_TICK_HZ, spec.maxCatchUp ?? DEFAULT_MAX_CATCH_UP, run, () => events.afterBurst(), firstTick);
  }

  /** The room is empty: disposes of it after `emptyTimeout` (at once for 0, never for `false`) unless `stillEmpty()` is false by then. */
  armEmpty(stillEmpty: () => boolean): void {
    if (this.#emptyTimer !== undefined) return;
    const room = this.#room;
    const timeout = room.definition.spec.emptyTimeout ?? 0;
    if (timeout === false) return;
    if (timeout === 0) {
      void room.dispose();
      return;
    }
    this.#emptyTimer = room.clock.setTimeout(() => {
      this.#emptyTimer = undefined;
      if (stillEmpty()) void room.dispose();
    }, timeout);
  }

  clearEmpty(): void {
    if (this.#emptyTimer === undefined) return;
    this.#room.clock.clearTimeout(this.#emptyTimer);
    this.#emptyTimer = undefined;
  }

  /** Stops the tick, the statechart and the empty timer. */
  stop(): void {
    this.ticker?.stop();
    this.lifecycle?.stop();
    this.clearEmpty();
  }
}
