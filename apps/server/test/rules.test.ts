import { describe, expect, it } from 'vitest';
import { ARENA, ArenaErrorCode } from '../src/arena/constants.ts';
import { createArenaPlayer } from '../src/arena/rules/ArenaPlayer.ts';
import { tryChat } from '../src/arena/rules/chat.ts';
import { Leaderboard } from '../src/arena/rules/Leaderboard.ts';
import { Matchmaker } from '../src/arena/rules/Matchmaker.ts';
import { tryMove } from '../src/arena/rules/movement.ts';
import { Room } from '../src/arena/rules/Room.ts';
import { ArenaState } from '../src/arena/messages.ts';
import { Mirror } from '@hearth/state';
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

describe('Room and Matchmaker', () => {
  it('holds at most its capacity', () => {
    const room = new Room('r', 2);
    expect(room.add(player(1))).toBeUndefined();
    expect(room.add(player(1))).toBe(ArenaErrorCode.ALREADY_IN_ROOM);
    expect(room.add(player(2))).toBeUndefined();
    expect(room.add(player(3))).toBe(ArenaErrorCode.ROOM_FULL);
  });

  it('patches only the players that moved, once', () => {
    const room = new Room('r');
    const a = player(1, 0, 0);
    room.add(a);
    room.add(player(2));
    room.flush(); // the joins, as the room actor sends them
    const mirror = new Mirror(ArenaState);
    mirror.apply(room.sync.full());
    expect(tryMove(a, 10, 0, 100)).toBeUndefined();
    const patch = room.takePatch()!;
    expect(mirror.apply(patch)).not.toBe('old');
    expect(mirror.state!.players.get(1)).toMatchObject({ x: 10, y: 0 });
    expect(mirror.state!.players.get(2)).toMatchObject({ x: 500, y: 500 });
    expect(a.moved).toBe(false);
    expect(room.takePatch()).toBeUndefined();
    expect(room.tick).toBe(2);
  });

  it('fills the fullest room with space before opening another', () => {
    const mm = new Matchmaker((id, capacity) => new Room(id, capacity), 3);
    const placed: string[] = [];
    for (let pid = 1; pid <= 7; pid++) {
      const room = mm.place();
      room.add(player(pid));
      placed.push(room.id);
    }
    expect(placed).toEqual(['room-1', 'room-1', 'room-1', 'room-2', 'room-2', 'room-2', 'room-3']);
    mm.get('room-1')!.remove(1);
    expect(mm.place().id).toBe('room-1'); // 2 of 3 beats room-3's 1 of 3
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
