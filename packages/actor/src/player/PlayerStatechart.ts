import { createActor } from 'xstate';
import type { Actor, AnyActorRef, AnyMachineSnapshot, AnyStateMachine, EventObject, Snapshot } from 'xstate';
import { hasScheduledEvents, sleepingSnapshot, stopChild, type SleepingSnapshot } from './xstateInternals.ts';

/** What one event did to the statechart. */
export type SendOutcome = 'ok' | 'unhandled' | 'failed';

/** How a statechart starts: a fresh context (new session), or a snapshot (a player restored from another node). */
export type StatechartStart = { readonly input: unknown } | { readonly snapshot: unknown };

/** No copy of the game data was taken before the event (none asked for, or structuredClone refused). */
const NO_COPY: unique symbol = Symbol('no copy');

/**
 * The xstate actor of one player, through its life: started as a child of the holder's root actor
 * (one system per node), put to sleep as a bare snapshot while idle, woken by the next event, and
 * rolled back when an action throws. The player actor decides *when* to sleep; this class knows *how*.
 */
export class PlayerStatechart {
  readonly #machine: AnyStateMachine;
  readonly #root: AnyActorRef;
  /** The running xstate actor, or undefined while asleep. */
  #actor: Actor<AnyStateMachine> | undefined;
  /** What is kept of the machine snapshot while asleep (no actor), else undefined. */
  #sleeping: SleepingSnapshot | undefined;
  /** Nesting of `send` (an action may send again): the actor only sleeps outside every send. */
  #depth = 0;
  /** The game data refused structuredClone once: not copied again (the player warns once). */
  #uncopyable = false;
  /** The error of the last failed event (read by the player right after `send` returned 'failed'). */
  failure: unknown;

  constructor(machine: AnyStateMachine, root: AnyActorRef, start: StatechartStart) {
    this.#machine = machine;
    this.#root = root;
    // A child of the holder's root actor: it shares the root's system instead of creating one per
    // player (2.4 KB instead of 4.2 KB per actor, measured with 10,000 actors).
    this.#actor = createActor(machine, { parent: root, ...(start as object) }).start();
  }

  /** The machine snapshot (as much as a sleeping actor keeps of it), whether the actor runs or sleeps. */
  get snapshot(): SleepingSnapshot {
    return this.#sleeping ?? (this.#actor!.getSnapshot() as AnyMachineSnapshot);
  }

  /** True while only the snapshot is kept (no xstate actor; the next event wakes it). */
  get asleep(): boolean {
    return this.#actor === undefined;
  }

  /**
   * Sends one event. With `rollback`, an action that throws leaves the statechart as it was before
   * the event, its game data (`context.data`) included: a structuredClone taken before the event
   * is put back (`onUncopyable` is called once if the data cannot be copied). Without it, a throw
   * leaves the actor in xstate's error status (the player ends the session).
   */
  send(event: EventObject, rollback: boolean, onUncopyable: (err: unknown) => void): SendOutcome {
    const actor = this.#wake();
    this.#depth++;
    try {
      const before = actor.getSnapshot() as AnyMachineSnapshot;
      const data = rollback ? this.#copyData(before, onUncopyable) : NO_COPY;
      actor.send(event);
      const after = actor.getSnapshot() as AnyMachineSnapshot;
      if (after.status === 'error') {
        this.failure = after.error;
        if (rollback) this.#restore(data === NO_COPY ? before : { ...before, context: { ...(before.context as object), data } });
        return 'failed';
      }
      return after === before ? 'unhandled' : 'ok';
    } finally {
      this.#depth--;
    }
  }

  /**
   * Keeps only the snapshot and stops the xstate actor (its object, mailbox, observers and system
   * entry cost ~1.5 KB per idle player: bench/memory.ts). Skipped while the actor is needed for
   * more than its snapshot: inside a transition, with child actors, or with delayed events pending.
   */
  sleep(): void {
    const actor = this.#actor;
    if (actor === undefined || this.#depth > 0) return;
    const snapshot = actor.getSnapshot() as AnyMachineSnapshot;
    if (snapshot.status !== 'active' && snapshot.status !== 'done') return;
    for (const _ in snapshot.children as object) return;
    if (hasScheduledEvents(actor)) return;
    this.#sleeping = sleepingSnapshot(snapshot);
    this.#actor = undefined;
    // Unregisters it from the shared system (a started child would be kept there otherwise).
    if (snapshot.status === 'active') stopChild(actor);
  }

  /** The snapshot as xstate persists it (for a cross-node resume). */
  persisted(): unknown {
    return this.#machine.getPersistedSnapshot(this.snapshot as AnyMachineSnapshot);
  }

  /** Takes the error of the last failed event (the next failure replaces it). */
  takeFailure(): unknown {
    const failure = this.failure;
    this.failure = undefined;
    return failure;
  }

  /** The running actor, restored from the sleeping snapshot if need be (no entry actions run). */
  #wake(): Actor<AnyStateMachine> {
    let actor = this.#actor;
    if (actor === undefined) {
      // A persisted-shaped snapshot (xstate's type wants one status literal per shape).
      actor = createActor(this.#machine, { parent: this.#root, snapshot: this.#sleeping as Snapshot<unknown> | undefined });
      this.#sleeping = undefined;
      this.#actor = actor.start();
    }
    return actor;
  }

  #restore(snapshot: AnyMachineSnapshot): void {
    this.#sleeping = undefined;
    this.#actor = createActor(this.#machine, { parent: this.#root, snapshot }).start();
  }

  /**
   * A deep copy of the game data before a statechart event, for the rollback. The data must be
   * msgpack-encodable anyway (it travels in a cross-node resume), so `structuredClone` copies it.
   */
  #copyData(snapshot: AnyMachineSnapshot, onUncopyable: (err: unknown) => void): unknown {
    if (this.#uncopyable) return NO_COPY;
    try {
      return structuredClone<unknown>((snapshot.context as { data: unknown }).data);
    } catch (err) {
      this.#uncopyable = true;
      onUncopyable(err);
      return NO_COPY;
    }
  }
}
