import { systemClock, type Clock } from '../time/Clock.ts';

/** What a {@link TimerQueue} calls back: the entry is current while `timerSeq` still equals the seq it was added with. */
export interface TimerTarget {
  readonly timerSeq: number;
  onTimerDue(): void;
}

/**
 * Timers of one fixed delay for many targets, on one `setTimeout`: since every entry has the same
 * delay, adding at the tail keeps the queue sorted by due time. A target re-arms or cancels by
 * bumping its `timerSeq` (the old entry is skipped when it comes up) and telling the queue.
 * Replaces a `Timeout` object (with its argument array, ~140 B) per player actor; measured by
 * bench/memory.ts (heap per idle session).
 */
export class TimerQueue {
  readonly #delay: number;
  /** Flattened [target, seq, due] triples, oldest first; `#head` is the first live index. */
  #items: (TimerTarget | number | undefined)[] = [];
  #head = 0;
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
    this.#items.push(target, target.timerSeq, this.#clock.monotonic() + this.#delay);
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
    this.#items = [];
    this.#head = 0;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#firing = true;
    const now = this.#clock.monotonic();
    const items = this.#items;
    try {
      while (this.#head < items.length) {
        const at = this.#head;
        if ((items[at + 2] as number) > now) break;
        const target = items[at] as TimerTarget;
        const seq = items[at + 1] as number;
        items[at] = undefined;
        this.#head = at + 3;
        if (target.timerSeq !== seq) continue; // re-armed or cancelled since
        this.#live--;
        target.onTimerDue();
      }
    } finally {
      this.#firing = false;
      // A callback may have closed the queue (a new, empty array) and added to it since.
      const current = this.#items;
      if (this.#head >= current.length) {
        current.length = 0;
        this.#head = 0;
      } else if (this.#head > 3072 && this.#head * 2 > current.length) {
        current.splice(0, this.#head);
        this.#head = 0;
      }
      if (this.#head < current.length) {
        this.#timer ??= this.#clock.setTimeout(this.#run, Math.max(1, Math.ceil((current[this.#head + 2] as number) - now)));
      }
    }
  }
}
