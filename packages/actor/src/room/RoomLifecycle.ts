import type { Logger } from 'pino';
import { createActor, type AnyActorRef, type AnyStateMachine, type EventObject, type Snapshot, type StateValue } from 'xstate';
import type { Clock } from '../time/Clock.ts';
import type { PersistedLifecycle } from './checkpoint/RoomCheckpoint.ts';

/**
 * A room's own statechart (`defineRoom(...).lifecycle(machine)`), e.g. `waiting → playing → ended`:
 * an xstate actor started after `onCreate` with `input: { room }`, on the node's clock (so `after`
 * delays follow a test's `ManualClock`). Reaching a final state disposes of the room. @internal
 *
 * A restored room starts it from its checkpoint's persisted snapshot (xstate `getPersistedSnapshot`):
 * the state and context as they were, entry actions not run again; the context keys that held the
 * room get the restored room. Pending `after` delays are not in a persisted snapshot: they do not
 * carry over (docs/rooms.md, "Rooms outlive their node").
 */
export class RoomLifecycle {
  readonly #actor: AnyActorRef;
  readonly #room: unknown;

  constructor(
    machine: AnyStateMachine,
    room: unknown,
    clock: Clock,
    log: Logger,
    onDone: () => void,
    onChange: () => void = () => {},
    persisted?: PersistedLifecycle,
  ) {
    this.#room = room;
    const snapshot = persisted === undefined ? undefined : withRoom(persisted, room);
    this.#actor = createActor(machine, {
      input: { room },
      clock: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (id) => clock.clearTimeout(id) },
      ...(snapshot !== undefined && { snapshot: snapshot as Snapshot<unknown> }),
    });
    let last: unknown;
    // Disposal stops this actor: run it after the transition that finished it, not inside it.
    this.#actor.subscribe({
      next: (snapshot: { status: string; value: unknown }) => {
        if (snapshot.status === 'done') queueMicrotask(onDone);
        else if (last !== undefined && snapshot.value !== last) onChange();
        last = snapshot.value;
      },
      error: (err: unknown) => {
        log.error({ err }, 'room lifecycle machine failed; the room is disposed');
        queueMicrotask(onDone);
      },
    });
    this.#actor.start();
  }

  /** The machine's state value. */
  get phase(): StateValue {
    return (this.#actor.getSnapshot() as { value: StateValue }).value;
  }

  /** The persisted snapshot for a checkpoint, with the context keys that hold the room taken out. */
  persisted(): PersistedLifecycle {
    const snapshot = { ...(this.#actor.getPersistedSnapshot() as Record<string, unknown>) };
    const context = snapshot['context'];
    const roomKeys: string[] = [];
    if (typeof context === 'object' && context !== null) {
      const copy: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(context)) {
        if (v === this.#room) roomKeys.push(k);
        else copy[k] = v;
      }
      snapshot['context'] = copy;
    }
    return { snapshot, roomKeys };
  }

  send(event: EventObject): void {
    this.#actor.send(event);
  }

  stop(): void {
    this.#actor.stop();
  }
}

function withRoom(persisted: PersistedLifecycle, room: unknown): Record<string, unknown> {
  const context = (persisted.snapshot['context'] ?? {}) as Record<string, unknown>;
  const restored: Record<string, unknown> = { ...context };
  for (const k of persisted.roomKeys) restored[k] = room;
  return { ...persisted.snapshot, context: restored };
}
