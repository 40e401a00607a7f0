/**
 * Bytes allocated per timer re-arm in a `TimerQueue` (what every player's heartbeat check does every
 * `heartbeatTimeout / 5`): 10,000 targets, each re-arming when it fires, 20 delays per run, median
 * of 3 runs; beside it, in the same run, the baseline: the queue's previous layout (one flattened
 * array of [target, seq, due], where a fractional due time is boxed as a heap number per entry).
 * `node --expose-gc --max-semi-space-size=512 --import tsx --conditions=@hearth/source bench/timerQueue.ts`
 * (the large young generation keeps a scavenge out of the measured window); writes bench/results/timerQueue.json.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TimerQueue, type TimerTarget } from '../src/player/TimerQueue.ts';
import { ManualClock } from '../src/testing/index.ts';

const TARGETS = 10_000;
const ROUNDS = 20;
const DELAY = 1000;

interface Queue {
  add(target: TimerTarget): void;
}

/** The previous layout, reduced to what the measurement uses (add, and firing in order). */
class FlatQueue implements Queue {
  #items: (TimerTarget | number | undefined)[] = [];
  #head = 0;
  readonly #clock: ManualClock;
  constructor(clock: ManualClock) {
    this.#clock = clock;
  }
  add(target: TimerTarget): void {
    this.#items.push(target, target.timerSeq, this.#clock.monotonic() + DELAY);
  }
  fire(): void {
    const items = this.#items;
    const now = this.#clock.monotonic();
    while (this.#head < items.length && (items[this.#head + 2] as number) <= now) {
      const target = items[this.#head] as TimerTarget;
      items[this.#head] = undefined;
      this.#head += 3;
      if (target.timerSeq === items[this.#head - 2]) target.onTimerDue();
    }
    if (this.#head > 3072 && this.#head * 2 > items.length) {
      items.splice(0, this.#head);
      this.#head = 0;
    }
  }
}

function bytesPerRearm(kind: 'TimerQueue' | 'flat array'): number {
  const clock = new ManualClock();
  clock.advance(0.5); // fractional times, as performance.now() gives
  const flat = kind === 'flat array' ? new FlatQueue(clock) : undefined;
  const queue: Queue = flat ?? new TimerQueue(DELAY, clock);
  const targets = Array.from({ length: TARGETS }, () => {
    const target = { timerSeq: 0, onTimerDue: () => queue.add(target) };
    return target;
  });
  for (const target of targets) queue.add(target);
  const tick = (): void => {
    clock.advance(DELAY);
    flat?.fire();
  };
  for (let i = 0; i < 3; i++) tick(); // warm-up: the ring / array at its steady size
  globalThis.gc!();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < ROUNDS; i++) tick();
  return (process.memoryUsage().heapUsed - before) / (TARGETS * ROUNDS);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const runs = { timerQueue: [] as number[], flatArray: [] as number[] };
for (let run = 0; run < 3; run++) {
  runs.flatArray.push(bytesPerRearm('flat array'));
  runs.timerQueue.push(bytesPerRearm('TimerQueue'));
}
const result = {
  benchmark: 'actor: bytes allocated per timer re-arm (a heartbeat check)',
  date: new Date().toISOString(),
  node: process.version,
  config: { targets: TARGETS, rounds: ROUNDS, runs: 3 },
  bytesPerRearm: { timerQueue: +median(runs.timerQueue).toFixed(1), flatArrayBaseline: +median(runs.flatArray).toFixed(1) },
  runs: { timerQueue: runs.timerQueue.map((b) => +b.toFixed(1)), flatArrayBaseline: runs.flatArray.map((b) => +b.toFixed(1)) },
};
const out = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../bench/results/timerQueue.json');
writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result.bytesPerRearm), `wrote ${out}`);
