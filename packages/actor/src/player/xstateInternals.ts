import type { AnyActorRef } from 'xstate';

/**
 * Every use Hearth makes of xstate internals, in one file. xstate is pinned to this exact version in
 * package.json, and test/xstateInternals.test.ts fails when an upgrade changes what these functions
 * rely on: bump both together, after that test passes on the new version.
 *
 * Why internals at all: a sleeping player keeps only its machine snapshot (bench/memory.ts: ~1.5 KB
 * less per idle player). Stopping a *child* actor has no public API (`stop()` throws on a non-root
 * actor), and whether an actor has delayed events pending (`after`) is only in the system's scheduler.
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
