import { describe, expect, it } from 'vitest';
import { TimerQueue, type TimerTarget } from '../src/player/TimerQueue.ts';

function target(name: string, fired: string[]): TimerTarget & { timerSeq: number } {
  return { timerSeq: 0, onTimerDue: () => void fired.push(name) };
}

describe('TimerQueue', () => {
  it('fires entries in order after the delay, skips cancelled and re-armed ones, and stops when empty', async () => {
    const fired: string[] = [];
    const queue = new TimerQueue(20);
    const a = target('a', fired);
    const b = target('b', fired);
    const c = target('c', fired);
    const started = performance.now();
    queue.add(a);
    queue.add(b);
    queue.add(c);
    b.timerSeq++; // b cancels
    queue.cancel();
    c.timerSeq++; // c re-arms: its old entry is stale, a new one is added
    queue.add(c);
    await new Promise<void>((resolve) => {
      c.onTimerDue = () => {
        fired.push('c');
        resolve();
      };
    });
    expect(fired).toEqual(['a', 'c']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
    queue.close();
  });

  it('fires nothing once every entry is cancelled', async () => {
    const fired: string[] = [];
    const queue = new TimerQueue(5);
    const a = target('a', fired);
    queue.add(a);
    a.timerSeq++;
    queue.cancel();
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toEqual([]);
  });
});

describe('TimerQueue re-arming from a callback', () => {
  it('keeps the earlier entries on time when a callback adds one', async () => {
    const fired: [string, number][] = [];
    const queue = new TimerQueue(100);
    const started = performance.now();
    const a = target('a', []);
    const b = target('b', []);
    a.onTimerDue = () => {
      fired.push(['a', performance.now() - started]);
      queue.add(a); // re-arm from inside the callback (the heartbeat check does)
    };
    queue.add(a);
    await new Promise((r) => setTimeout(r, 20));
    const done = new Promise<void>((resolve) => {
      b.onTimerDue = () => {
        fired.push(['b', performance.now() - started]);
        resolve();
      };
    });
    queue.add(b); // due ~120 ms, before a's second round (~200 ms)
    await done;
    queue.close();
    expect(fired.map(([name]) => name)).toEqual(['a', 'b']);
    expect(fired[1]![1]).toBeLessThan(180);
  });
});
