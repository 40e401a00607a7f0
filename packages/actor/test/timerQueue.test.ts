import { describe, expect, it } from 'vitest';
import { TimerQueue, type TimerTarget } from '../src/player/TimerQueue.ts';
import { ManualClock } from '../src/testing/index.ts';

function target(name: string, fired: string[]): TimerTarget & { timerSeq: number } {
  return { timerSeq: 0, onTimerDue: () => void fired.push(name) };
}

describe('TimerQueue (on an injected clock)', () => {
  it('fires entries in order after the delay, skips cancelled and re-armed ones, and stops when empty', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const queue = new TimerQueue(20, clock);
    const a = target('a', fired);
    const b = target('b', fired);
    const c = target('c', fired);
    queue.add(a);
    queue.add(b);
    queue.add(c);
    b.timerSeq++; // b cancels
    queue.cancel();
    clock.advance(5);
    c.timerSeq++; // c re-arms at 5: its old entry is stale, a new one is due at 25
    queue.add(c);
    clock.advance(14);
    expect(fired).toEqual([]); // 19 ms: nothing due yet
    clock.advance(1);
    expect(fired).toEqual(['a']);
    clock.advance(4);
    expect(fired).toEqual(['a']);
    clock.advance(1);
    expect(fired).toEqual(['a', 'c']);
    expect(clock.pending).toBe(0); // empty: no timer left set
    queue.close();
  });

  it('fires nothing once every entry is cancelled, and sets no timer', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const queue = new TimerQueue(5, clock);
    const a = target('a', fired);
    queue.add(a);
    a.timerSeq++;
    queue.cancel();
    expect(clock.pending).toBe(0);
    clock.advance(30);
    expect(fired).toEqual([]);
  });

  it('keeps the earlier entries on time when a callback adds one', () => {
    const clock = new ManualClock();
    const fired: [string, number][] = [];
    const queue = new TimerQueue(100, clock);
    const a = target('a', []);
    const b = target('b', []);
    a.onTimerDue = () => {
      fired.push(['a', clock.monotonic()]);
      queue.add(a); // re-arm from inside the callback (the heartbeat check does)
    };
    b.onTimerDue = () => void fired.push(['b', clock.monotonic()]);
    queue.add(a);
    clock.advance(20);
    queue.add(b); // due at 120, before a's second round (200)
    clock.advance(180);
    queue.close();
    expect(fired).toEqual([
      ['a', 100],
      ['b', 120],
      ['a', 200],
    ]);
  });

  it('uses the system clock by default', async () => {
    const queue = new TimerQueue(1);
    await new Promise<void>((resolve) => queue.add({ timerSeq: 0, onTimerDue: resolve }));
    queue.close();
  });
});
