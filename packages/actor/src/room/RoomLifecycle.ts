import type { Logger } from 'pino';
import { createActor, type AnyActorRef, type AnyStateMachine, type EventObject, type StateValue } from 'xstate';
import type { Clock } from '../time/Clock.ts';

/**
 * A room's own statechart (`defineRoom(...).lifecycle(machine)`), e.g. `waiting → playing → ended`:
 * an xstate actor started after `onCreate` with `input: { room }`, on the node's clock (so `after`
 * delays follow a test's `ManualClock`). Reaching a final state disposes of the room. @internal
 */
export class RoomLifecycle {
  readonly #actor: AnyActorRef;

  constructor(machine: AnyStateMachine, room: unknown, clock: Clock, log: Logger, onDone: () => void) {
    this.#actor = createActor(machine, { input: { room }, clock: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (id) => clock.clearTimeout(id) } });
    // Disposal stops this actor: run it after the transition that finished it, not inside it.
    this.#actor.subscribe({
      next: (snapshot: { status: string }) => {
        if (snapshot.status === 'done') queueMicrotask(onDone);
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

  send(event: EventObject): void {
    this.#actor.send(event);
  }

  stop(): void {
    this.#actor.stop();
  }
}
