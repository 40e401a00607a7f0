import { describe, expect, it } from 'vitest';
import { rejoinsAfter, roomSilent } from '../src/game/roomLoss.ts';

describe('what the page does when its room ends', () => {
  it('joins again after a room that went away, not after a kick or a leave', () => {
    for (const code of ['ROOM_DISPOSED', 'ROOM_NOT_FOUND', 'NOT_IN_ROOM', 'ROOM_UNREACHABLE', 'TIMEOUT', 'INTERNAL']) expect(rejoinsAfter(code), code).toBe(true);
    for (const code of ['KICKED', 'LEFT', 'BANNED']) expect(rejoinsAfter(code), code).toBe(false);
  });

  it('gives a room up when its node stops answering (ROOM_UNREACHABLE, TIMEOUT), not for a refused request', () => {
    expect(roomSilent('ROOM_UNREACHABLE')).toBe(true);
    expect(roomSilent('TIMEOUT')).toBe(true);
    expect(roomSilent('ARENA_TOO_FAR')).toBe(false);
    expect(roomSilent(undefined)).toBe(false);
  });
});
