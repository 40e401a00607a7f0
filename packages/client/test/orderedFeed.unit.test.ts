import { defineMessage } from '@hearth/protocol';
import { describe, expect, it } from 'vitest';
import { OrderedFeed, type HearthClient } from '../src/index.ts';

const Line = defineMessage<{ seq: number }>(100, 'test.line');

/** The two hooks an OrderedFeed takes from its client, driven by the test. */
function fakeClient(): { client: HearthClient; push(seq: number): void; resume(): void } {
  let onLine: ((p: { seq: number }) => void) | undefined;
  let onResumed: (() => void) | undefined;
  const client = {
    on(target: unknown, handler: never) {
      if (target === 'resumed') onResumed = handler;
      else onLine = handler;
      return () => {};
    },
  } as unknown as HearthClient;
  return { client, push: (seq) => onLine!({ seq }), resume: () => onResumed!() };
}

async function settled(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('OrderedFeed', () => {
  it('delivers in order once, fills a gap from history and drops duplicates', async () => {
    const c = fakeClient();
    const history = Array.from({ length: 10 }, (_, i) => ({ seq: i + 1 }));
    const fetched: number[] = [];
    const got: number[] = [];
    const feed = new OrderedFeed(c.client, Line, {
      seq: (l) => l.seq,
      after: 2,
      fetch: (after) => {
        fetched.push(after);
        return Promise.resolve(history.filter((l) => l.seq > after && l.seq <= 7));
      },
      deliver: (l) => got.push(l.seq),
    });
    c.push(2); // already seen (after: 2)
    c.push(3);
    c.push(6); // gap: 4, 5 lost with a connection
    c.push(7);
    await settled();
    expect(got).toEqual([3, 4, 5, 6, 7]);
    expect(fetched).toEqual([3]);
    c.push(7);
    c.push(8);
    expect(got).toEqual([3, 4, 5, 6, 7, 8]);
    expect(feed.stats).toEqual({ pushed: 4, fetched: 2, duplicates: 4 }); // 6 and 7 came held, then again fetched
  });

  it('asks again on "resumed" for what was lost last, and survives a failed fetch', async () => {
    const c = fakeClient();
    let fail = true;
    const got: number[] = [];
    const feed = new OrderedFeed(c.client, Line, {
      seq: (l) => l.seq,
      fetch: (after) =>
        fail ? Promise.reject(new Error('DISCONNECTED')) : Promise.resolve([4, 5].filter((s) => s > after).map((seq) => ({ seq }))),
      deliver: (l) => got.push(l.seq),
    });
    c.push(1);
    c.push(2);
    c.push(3);
    c.resume(); // 4 and 5 were on the wire when it dropped, and this fetch fails
    await settled();
    expect(got).toEqual([1, 2, 3]);
    fail = false;
    c.resume();
    await settled();
    expect(got).toEqual([1, 2, 3, 4, 5]);
    expect(feed.last).toBe(5);
  });
});
