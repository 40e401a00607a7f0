// The dashboard's "request time by message" table, from the feed's samples.
import { describe, expect, it } from 'vitest';
import { requestRows } from '../src/admin/requestRows.ts';

const move = (p50Ms: number, p99Ms: number, perS = 50) => ({ perS, p50Ms, p99Ms });

describe('requestRows', () => {
  it('one row per message type seen, by name, with its latest percentiles and the current rate', () => {
    expect(requestRows([])).toEqual([]);
    const rows = requestRows([
      { t: 1000, requestsByType: { 'arena.tag': move(2, 4, 1), 'arena.move': move(0.02, 0.04) } },
      { t: 2000, requestsByType: { 'arena.move': move(0.03, 0.05) } },
      { t: 3000, requestsByType: { 'arena.move': move(0.01, 0.02, 40) } },
    ]);
    expect(rows).toEqual([
      { type: 'arena.move', perS: 40, p50Ms: 0.01, p99Ms: 0.02, ageS: 0 },
      // Quiet since: its last percentiles are kept, its rate is 0 now.
      { type: 'arena.tag', perS: 0, p50Ms: 2, p99Ms: 4, ageS: 2 },
    ]);
  });

  it('a sample without the split (an older server) adds no rows', () => {
    expect(requestRows([{ t: 0 }, { t: 1000, requestsByType: {} }])).toEqual([]);
    expect(requestRows([{ t: 0, requestsByType: { x: move(1, 2) } }, { t: 1000 }])).toEqual([{ type: 'x', perS: 0, p50Ms: 1, p99Ms: 2, ageS: 1 }]);
  });
});
