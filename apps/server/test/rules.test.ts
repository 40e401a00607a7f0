import { describe, expect, it } from 'vitest';
import { ARENA, ArenaErrorCode } from '../src/arena/constants.ts';
import { createArenaPlayer } from '../src/arena/rules/ArenaPlayer.ts';
import { tryChat } from '../src/arena/rules/chat.ts';
import { Leaderboard } from '../src/arena/rules/Leaderboard.ts';
import { tryMove } from '../src/arena/rules/movement.ts';
import { tryTag } from '../src/arena/rules/tagging.ts';

const player = (pid: number, x = 500, y = 500, now = 0) => createArenaPlayer(pid, `u${pid}`, `p${pid}`, x, y, now);

describe('tryMove (speed limit)', () => {
  it('accepts a move at the speed limit, sustained', () => {
    const p = player(1, 0, 500);
    for (let t = 100; t <= 3000; t += 100) {
      expect(tryMove(p, (ARENA.maxSpeed * t) / 1000, 500, t)).toBeUndefined();
    }
    expect(p.x).toBe(ARENA.maxSpeed * 3);
    expect(p.moved).toBe(true);
  });

  it('rejects a move faster than the limit with TOO_FAST and keeps the position', () => {
    const p = player(1, 500, 500);
    // budget is maxSpeed × moveBurstSeconds = 100 units at rest; 101 is too far
    expect(tryMove(p, 500 + ARENA.maxSpeed * ARENA.moveBurstSeconds + 1, 500, 0)).toBe(ArenaErrorCode.TOO_FAST);
    expect(p.x).toBe(500);
    expect(p.moved).toBe(false);
  });

  it('rejects a sustained 1.5× speed once the banked budget is spent', () => {
    const p = player(1, 0, 500);
    let refused: string | undefined;
    for (let t = 100; t <= 3000 && refused === undefined; t += 100) {
      refused = tryMove(p, p.x + (1.5 * ARENA.maxSpeed) / 10, 500, t);
    }
    expect(refused).toBe(ArenaErrorCode.TOO_FAST);
  });

  it('tolerates moves bunched by the network', () => {
    const p = player(1, 0, 500);
    expect(tryMove(p, 20, 500, 1000)).toBeUndefined();
    expect(tryMove(p, 40, 500, 1000)).toBeUndefined(); // same instant: paid from the banked budget
  });

  it('rejects leaving the plane', () => {
    const p = player(1, 0, 0);
    expect(tryMove(p, -1, 0, 100)).toBe(ArenaErrorCode.OUT_OF_BOUNDS);
    expect(tryMove(p, 0, ARENA.worldSize + 1, 100)).toBe(ArenaErrorCode.OUT_OF_BOUNDS);
  });
});

describe('tryTag', () => {
  it('scores within the radius, refuses beyond it, and enforces the cooldown', () => {
    const a = player(1, 100, 100);
    const near = player(2, 100 + ARENA.tagRadius, 100);
    const far = player(3, 100 + ARENA.tagRadius + 1, 100);
    expect(tryTag(a, far, 5000)).toBe(ArenaErrorCode.TOO_FAR);
    expect(a.score).toBe(0);
    expect(tryTag(a, near, 5000)).toBeUndefined();
    expect(a.score).toBe(1);
    expect(tryTag(a, near, 5000 + ARENA.tagCooldownMs - 1)).toBe(ArenaErrorCode.TAG_COOLDOWN);
    expect(tryTag(a, near, 5000 + ARENA.tagCooldownMs)).toBeUndefined();
    expect(a.score).toBe(2);
  });

  it('refuses a missing target and oneself', () => {
    const a = player(1);
    expect(tryTag(a, undefined, 0)).toBe(ArenaErrorCode.NO_SUCH_PLAYER);
    expect(tryTag(a, a, 0)).toBe(ArenaErrorCode.NO_SUCH_PLAYER);
  });
});

describe('tryChat', () => {
  it('allows a burst, then rate-limits, then refills', () => {
    const p = player(1);
    for (let i = 0; i < ARENA.chatBurst; i++) expect(tryChat(p, 'hi', 0)).toBeUndefined();
    expect(tryChat(p, 'hi', 10)).toBe(ArenaErrorCode.CHAT_RATE_LIMITED);
    expect(tryChat(p, 'hi', ARENA.chatRefillMs)).toBeUndefined();
    expect(tryChat(p, 'hi', ARENA.chatRefillMs)).toBe(ArenaErrorCode.CHAT_RATE_LIMITED);
  });

  it('refuses empty and too long lines', () => {
    const p = player(1);
    expect(tryChat(p, '', 0)).toBe(ArenaErrorCode.CHAT_TOO_LONG);
    expect(tryChat(p, 'x'.repeat(ARENA.chatMaxLength + 1), 0)).toBe(ArenaErrorCode.CHAT_TOO_LONG);
  });
});

describe('Leaderboard', () => {
  it('keeps each user best score and sorts best first', () => {
    const lb = new Leaderboard(0);
    lb.record('u1', 'ann', 3);
    lb.record('u2', 'bob', 5);
    lb.record('u1', 'ann', 2);
    lb.record('u3', 'cy', 5);
    expect(lb.top(10, 0)).toEqual([
      { name: 'bob', score: 5 },
      { name: 'cy', score: 5 },
      { name: 'ann', score: 3 },
    ]);
    expect(lb.top(1, 1)).toEqual([{ name: 'bob', score: 5 }]);
  });
});
