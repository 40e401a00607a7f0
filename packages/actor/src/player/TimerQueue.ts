import { systemClock, type Clock } from '../time/Clock.ts';

/** What a {@link TimerQueue} calls back: the entry is current while `timerSeq` still equals the seq it was added with. */
export interface TimerTarget {
  readonly timerSeq: number;
  onTimerDue(): void;
}

const INITIAL_CAPACITY = 64;

/**
 * Timers of one fixed delay for many targets, on one `setTimeout`: since every entry has the same
 * delay, adding at the tail keeps the queue sorted by due time. A target re-arms or cancels by
 * bumping its `timerSeq` (the old entry is skipped when it comes up) and telling the queue.
 * Replaces a `Timeout` object (with its argument array, ~140 B) per player actor; measured by
 * bench/memory.ts (heap per idle session).
 *
 * The entries are a ring of three parallel arrays (target, seq, due), so adding one allocates
 * nothing once the ring is large enough: seqs and due times in typed arrays (a number in a mixed
 * array is a heap number), no array shifted or spliced (a player's heartbeat check re-arms every
 * few seconds; bench/timerQueue.ts: ~40 -> ~0 B per re-arm).
 */
export class TimerQueue {
  readonly #delay: number;
  #targets: (TimerTarget | undefined)[] = new Array<TimerTarget | undefined>(INITIAL_CAPACITY).fill(undefined);
  #seqs = new Float64Array(INITIAL_CAPACITY);
  #dues = new Float64Array(INITIAL_CAPACITY);
  /** Index of the oldest entry, and the number of entries (live or stale) from there. */
  #head = 0;
  #size = 0;
  /** Entries added and neither fired nor cancelled. */
  #live = 0;
  #timer: unknown;
  readonly #clock: Clock;
  /** Set while due entries are called back: the timer is re-armed once, for the new head, at the end. */
  #firing = false;
  readonly #run = (): void => this.#fire();

  /** @param clock where due times are read and the one timer is set. @defaultValue systemClock */
  constructor(delayMs: number, clock: Clock = systemClock) {
    this.#delay = delayMs;
    this.#clock = clock;
  }

  /** Calls `target.onTimerDue()` after the delay, unless its `timerSeq` changed meanwhile. */
  add(target: TimerTarget): void {
    if (this.#size === this.#targets.length) this.#grow();
    const at = (this.#head + this.#size) & (this.#targets.length - 1);
    this.#targets[at] = target;
    this.#seqs[at] = target.timerSeq;
    this.#dues[at] = this.#clock.monotonic() + this.#delay;
    this.#size++;
    this.#live++;
    if (!this.#firing) this.#timer ??= this.#clock.setTimeout(this.#run, this.#delay);
  }

  /** One entry (whose target already bumped its `timerSeq`) will not fire; the last one stops the timer. */
  cancel(): void {
    if (--this.#live > 0) return;
    this.#live = 0;
    this.#clear();
  }

  /** Drops every entry and the timer. */
  close(): void {
    this.#live = 0;
    this.#clear();
  }

  #clear(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#targets.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }

  /** Doubles the ring (a power of two, so an index wraps with a mask), oldest entry first. */
  #grow(): void {
    const capacity = this.#targets.length;
    const targets = new Array<TimerTarget | undefined>(capacity * 2).fill(undefined);
    const seqs = new Float64Array(capacity * 2);
    const dues = new Float64Array(capacity * 2);
    for (let i = 0; i < this.#size; i++) {
      const from = (this.#head + i) & (capacity - 1);
      targets[i] = this.#targets[from];
      seqs[i] = this.#seqs[from]!;
      dues[i] = this.#dues[from]!;
    }
    this.#targets = targets;
    this.#seqs = seqs;
    this.#dues = dues;
    this.#head = 0;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#firing = true;
    const now = this.#clock.monotonic();
    try {
      // Arrays re-read each turn: a callback may add (growing the ring) or close the queue.
      while (this.#size > 0) {
        const at = this.#head;
        if (this.#dues[at]! > now) break;
        const target = this.#targets[at]!;
        const seq = this.#seqs[at];
        this.#targets[at] = undefined;
        this.#head = (at + 1) & (this.#targets.length - 1);
        this.#size--;
        if (target.timerSeq !== seq) continue; // re-armed or cancelled since
        this.#live--;
        target.onTimerDue();
      }
    } finally {
      this.#firing = false;
      if (this.#size > 0) {
        this.#timer ??= this.#clock.setTimeout(this.#run, Math.max(1, Math.ceil(this.#dues[this.#head]! - now)));
      }
    }
  }
}
