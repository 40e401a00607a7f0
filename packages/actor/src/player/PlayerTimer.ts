import type { ResolvedTimeouts } from '../PlayerTimeouts.ts';
import type { Clock } from '../time/Clock.ts';
import type { TimerKind } from './PlayerSnapshot.ts';
import { TimerQueue, type TimerTarget } from './TimerQueue.ts';

/** Delay of each kind, from the resolved timeouts. */
const DELAY: Readonly<Record<TimerKind, 'loginTimeout' | 'heartbeatCheck' | 'grace'>> = {
  login: 'loginTimeout',
  heartbeat: 'heartbeatCheck',
  grace: 'grace',
};

/**
 * The timers of a node's players: one {@link TimerQueue} per kind, since every timer of a kind has
 * the same delay (one `setTimeout` per kind and node instead of one per player: bench/memory.ts).
 */
export class PlayerTimers {
  readonly clock: Clock;
  readonly #timeouts: ResolvedTimeouts;
  readonly #queues: Readonly<Record<TimerKind, TimerQueue>>;

  constructor(timeouts: ResolvedTimeouts, clock: Clock) {
    this.clock = clock;
    this.#timeouts = timeouts;
    this.#queues = {
      login: new TimerQueue(timeouts[DELAY.login], clock),
      heartbeat: new TimerQueue(timeouts[DELAY.heartbeat], clock),
      grace: new TimerQueue(timeouts[DELAY.grace], clock),
    };
  }

  /** The queue of `kind`'s timers. */
  queue(kind: TimerKind): TimerQueue {
    return this.#queues[kind];
  }

  /** The delay of `kind`'s timers, in ms. */
  delay(kind: TimerKind): number {
    return this.#timeouts[DELAY[kind]];
  }

  /** Drops every timer (the holder closed). */
  close(): void {
    for (const queue of Object.values(this.#queues)) queue.close();
  }
}

/** Who a {@link PlayerTimer} tells when it fires. */
export interface TimerOwner {
  timerDue(kind: TimerKind): void;
}

/**
 * A player's one timer: the login timeout, the periodic heartbeat check, or the grace period (a
 * player is in one phase at a time, so it never needs two). Re-arming or disarming bumps
 * `timerSeq`, which makes the entry already queued stale.
 */
export class PlayerTimer implements TimerTarget {
  /** Bumped at every arm/disarm: a queued entry with an older value is stale. */
  timerSeq = 0;
  readonly #owner: TimerOwner;
  readonly #timers: PlayerTimers;
  #kind: TimerKind | undefined;
  #due = 0;
  /** The queue holding the live entry, or undefined when none is queued. */
  #queue: TimerQueue | undefined;

  constructor(owner: TimerOwner, timers: PlayerTimers) {
    this.#owner = owner;
    this.#timers = timers;
  }

  /** The kind armed (the heartbeat check stays `heartbeat` while it runs), or undefined. */
  get kind(): TimerKind | undefined {
    return this.#kind;
  }

  /** True while an entry is queued. */
  get armed(): boolean {
    return this.#queue !== undefined;
  }

  /** Ms until it fires (0 when due or not armed). */
  dueInMs(): number {
    return Math.max(0, this.#due - this.#timers.clock.now());
  }

  /** Arms `kind` (replacing whatever was armed). */
  arm(kind: TimerKind): void {
    this.disarm();
    this.#kind = kind;
    this.#due = this.#timers.clock.now() + this.#timers.delay(kind);
    const queue = (this.#queue = this.#timers.queue(kind));
    queue.add(this);
  }

  disarm(): void {
    const queue = this.#queue;
    if (queue !== undefined) {
      this.#queue = undefined;
      this.timerSeq++;
      queue.cancel();
    }
    this.#kind = undefined;
  }

  /** @internal called by the queue */
  onTimerDue(): void {
    this.#queue = undefined;
    const kind = this.#kind!;
    // The heartbeat check re-arms itself unless the check changed the phase.
    if (kind !== 'heartbeat') this.#kind = undefined;
    this.#owner.timerDue(kind);
  }
}
