import type { AnyActorRef, AnyMachineSnapshot, StateValue } from 'xstate';

/**
 * Every use Hearth makes of xstate internals, in one file. xstate is pinned to this exact version in
 * package.json, and test/xstateInternals.test.ts fails when an upgrade changes what these functions
 * rely on: bump both together, after that test passes on the new version.
 *
 * Why internals at all: a sleeping player keeps only its machine snapshot (bench/memory.ts: ~1.5 KB
 * less per idle player). Stopping a *child* actor has no public API (`stop()` throws on a non-root
 * actor), whether an actor has delayed events pending (`after`) is only in the system's scheduler,
 * and which fields of a snapshot a restore reads is xstate's own business.
 */
export const XSTATE_VERSION = '5.33.3';

interface ScheduledEvent {
  readonly source: AnyActorRef;
}
interface SystemWithScheduler {
  getSnapshot(): { readonly _scheduledEvents: Readonly<Record<string, ScheduledEvent | undefined>> };
}

/** Whether `actor` has delayed events (`after`, delayed `sendTo`/`raise`) pending in its system's scheduler. */
export function hasScheduledEvents(actor: AnyActorRef): boolean {
  const scheduled = (actor.system as unknown as SystemWithScheduler).getSnapshot()._scheduledEvents;
  for (const id in scheduled) if (scheduled[id]?.source === actor) return true;
  return false;
}

/**
 * Stops a started child actor and unregisters it from the system it shares with its parent, without
 * telling the parent (`_stop()`, what xstate itself calls on children). Its snapshot stays readable.
 */
export function stopChild(actor: AnyActorRef): void {
  (actor as unknown as { _stop(): void })._stop();
}

/**
 * The part of a machine snapshot a sleeping player keeps: what `restoreSnapshot` reads when the actor
 * wakes (`createActor(machine, { snapshot })`). Its state-node list, tag set and methods are rebuilt
 * from `value` then, so keeping them while asleep is waste: ~0.3 KB per idle player, bench/memory.ts.
 */
export interface SleepingSnapshot {
  readonly status: AnyMachineSnapshot['status'];
  readonly output: unknown;
  readonly error: unknown;
  readonly value: StateValue;
  readonly context: unknown;
  /** Empty: a player with child actors does not sleep. */
  readonly children: object;
  /** As the running snapshot holds it (state nodes, which the restore accepts as they are). */
  readonly historyValue: unknown;
}

/** The {@link SleepingSnapshot} of `snapshot` (same objects: context, value and history are not copied). */
export function sleepingSnapshot(snapshot: AnyMachineSnapshot): SleepingSnapshot {
  const { status, output, error, value, context, children, historyValue } = snapshot as SleepingSnapshot;
  return { status, output, error, value, context, children, historyValue };
}
