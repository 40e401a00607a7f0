import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { AnyDefinition } from '@hearth/protocol';
import { ARENA, ArenaErrorCode } from '../src/arena/constants.ts';
import { Mirror } from '@hearth/state';
import { ArenaState, ChatLine, MemberJoined, MemberLeft, Rejected, StatePatch, Tagged, type JoinReply } from '../src/arena/messages.ts';
import type { RoomEffects } from '../src/arena/RoomEffects.ts';
import { roomMachine, type RoomAnswer } from '../src/arena/roomMachine.ts';
import { createArenaPlayer, type ArenaPlayer } from '../src/arena/rules/ArenaPlayer.ts';
import { Room } from '../src/arena/rules/Room.ts';

interface Sent {
  to: string;
  name: string;
  payload: unknown;
}

function startRoom(capacity: number = ARENA.roomCapacity) {
  const sent: Sent[] = [];
  const groups = new Map<number, string>();
  const events = { closed: 0, scored: [] as number[] };
  const effects: RoomEffects = {
    entered: (room, p) => groups.set(p.pid, room.id),
    exited: (_room, p) => groups.delete(p.pid),
    broadcast: (room, def: AnyDefinition, payload) => sent.push({ to: room.id, name: def.name, payload }),
    push: (p, def: AnyDefinition, payload) => sent.push({ to: `pid:${p.pid}`, name: def.name, payload }),
    scored: (p) => events.scored.push(p.pid),
    closed: () => (events.closed += 1),
  };
  const room = new Room('room-1', capacity);
  const actor = createActor(roomMachine, { input: { room, effects } }).start();
  const join = (p: ArenaPlayer): RoomAnswer<JoinReply> => {
    let answer: RoomAnswer<JoinReply> | undefined;
    actor.send({ type: 'join', player: p, answer: (a) => (answer = a) });
    return answer!;
  };
  const tag = (pid: number, target: number, now: number) => {
    let answer: RoomAnswer<{ score: number }> | undefined;
    actor.send({ type: 'tag', pid, target, now, answer: (a) => (answer = a) });
    return answer!;
  };
  return { actor, room, sent, groups, events, join, tag };
}

const player = (pid: number, x = 500, y = 500) => createArenaPlayer(pid, `u${pid}`, `p${pid}`, x, y, 0);

describe('room actor', () => {
  it('moves through waiting → playing → full → playing → waiting → closed', () => {
    const r = startRoom(3);
    expect(r.actor.getSnapshot().value).toBe('opening');
    expect(r.join(player(1)).ok).toBe(true);
    expect(r.actor.getSnapshot().value).toBe('waiting');
    r.join(player(2));
    expect(r.actor.getSnapshot().value).toBe('playing');
    r.join(player(3));
    expect(r.actor.getSnapshot().value).toBe('full');
    r.actor.send({ type: 'leave', pid: 3 });
    expect(r.actor.getSnapshot().value).toBe('playing');
    r.actor.send({ type: 'leave', pid: 2 });
    expect(r.actor.getSnapshot().value).toBe('waiting');
    r.actor.send({ type: 'leave', pid: 1 });
    expect(r.actor.getSnapshot().status).toBe('done');
    expect(r.events.closed).toBe(1);
    expect(r.groups.size).toBe(0);
  });

  it('refuses the player past capacity with ROOM_FULL (room capacity 16)', () => {
    const r = startRoom();
    for (let pid = 1; pid <= ARENA.roomCapacity; pid++) expect(r.join(player(pid)).ok).toBe(true);
    const answer = r.join(player(99));
    expect(answer).toMatchObject({ ok: false, code: ArenaErrorCode.ROOM_FULL });
    expect(r.room.size).toBe(ARENA.roomCapacity);
    expect(r.groups.has(99)).toBe(false);
  });

  it('answers a join with the members and tells the others', () => {
    const r = startRoom();
    r.join(player(1, 10, 20));
    const answer = r.join(player(2, 30, 40));
    expect(answer.ok && answer.value).toMatchObject({ room: 'room-1', you: 2, members: [{ pid: 1, x: 10, y: 20 }, { pid: 2, x: 30, y: 40 }] });
    expect(r.sent.filter((s) => s.name === MemberJoined.name).map((s) => (s.payload as { pid: number }).pid)).toEqual([1, 2]);
    r.actor.send({ type: 'leave', pid: 1 });
    expect(r.sent.at(-1)).toEqual({ to: 'room-1', name: MemberLeft.name, payload: { pid: 1 } });
  });

  it('rejects a too-fast move with ARENA_TOO_FAST to the mover only, and patches accepted moves', () => {
    const r = startRoom();
    r.join(player(1, 100, 100));
    const second = r.join(player(2, 500, 500));
    const mirror = new Mirror(ArenaState);
    mirror.apply((second as { value: JoinReply }).value.state);
    r.actor.send({ type: 'move', pid: 1, x: 900, y: 100, now: 100 });
    expect(r.sent.at(-1)).toMatchObject({ to: 'pid:1', name: Rejected.name, payload: { code: ArenaErrorCode.TOO_FAST, x: 100, y: 100 } });
    const before = r.sent.length;
    r.actor.send({ type: 'tick' });
    expect(r.sent.length).toBe(before); // nobody moved: nothing sent
    r.actor.send({ type: 'move', pid: 1, x: 120, y: 100, now: 200 });
    r.actor.send({ type: 'tick' });
    expect(r.sent.at(-1)).toMatchObject({ to: 'room-1', name: StatePatch.name });
    expect(mirror.apply(r.sent.at(-1)!.payload as Uint8Array)).not.toBe('old');
    expect(mirror.state!.players.get(1)).toMatchObject({ x: 120, y: 100 });
    expect(r.room.tick).toBe(2);
  });

  it('scores a tag of a nearby player and refuses a far one', () => {
    const r = startRoom();
    r.join(player(1, 100, 100));
    r.join(player(2, 130, 100));
    r.join(player(3, 900, 900));
    expect(r.tag(1, 3, 1000)).toMatchObject({ ok: false, code: ArenaErrorCode.TOO_FAR });
    expect(r.tag(1, 2, 1000)).toEqual({ ok: true, value: { score: 1 } });
    expect(r.sent.at(-1)).toEqual({ to: 'room-1', name: Tagged.name, payload: { by: 1, target: 2, score: 1 } });
    expect(r.events.scored).toEqual([1]);
    expect(r.tag(1, 2, 1500)).toMatchObject({ ok: false, code: ArenaErrorCode.TAG_COOLDOWN });
    expect(r.tag(1, 42, 3000)).toMatchObject({ ok: false, code: ArenaErrorCode.NO_SUCH_PLAYER });
    expect(r.tag(42, 1, 3000)).toMatchObject({ ok: false, code: ArenaErrorCode.NOT_IN_ROOM });
  });

  it('relays chat to the room and rate-limits a flood', () => {
    const r = startRoom();
    r.join(player(1));
    for (let i = 0; i <= ARENA.chatBurst; i++) r.actor.send({ type: 'chat', pid: 1, text: `hi ${i}`, now: 0 });
    expect(r.sent.filter((s) => s.name === ChatLine.name)).toHaveLength(ARENA.chatBurst);
    expect(r.sent.at(-1)).toMatchObject({ to: 'pid:1', name: Rejected.name, payload: { code: ArenaErrorCode.CHAT_RATE_LIMITED } });
  });

  describe('synchronised state', () => {
    /** A client of the room: its mirror fed the join reply's full state, then every patch broadcast after it. */
    const client = (r: ReturnType<typeof startRoom>, reply: JoinReply) => {
      const mirror = new Mirror(ArenaState);
      mirror.apply(reply.state);
      let at = r.sent.length;
      return {
        mirror,
        sync() {
          for (const s of r.sent.slice(at)) if (s.name === StatePatch.name) mirror.apply(s.payload as Uint8Array);
          at = r.sent.length;
        },
      };
    };
    const plain = (room: Room) => Object.fromEntries([...room.members()].map((p) => [p.pid, { name: p.name, x: p.x, y: p.y, score: p.score }]));
    const mirrored = (m: Mirror<typeof ArenaState>) => Object.fromEntries([...m.state!.players].map(([pid, p]) => [pid, { ...p }]));

    it('sends state patches: positions, names and scores mirror the room', () => {
      const r = startRoom();
      const a = r.join(player(1, 100, 100));
      expect(a.ok && a.value.state).toBeInstanceOf(Uint8Array);
      const c1 = client(r, (a as { value: JoinReply }).value);
      const b = r.join(player(2, 130, 100));
      const c2 = client(r, (b as { value: JoinReply }).value);
      c1.sync();
      expect(mirrored(c1.mirror)).toEqual(plain(r.room));
      const before = r.sent.length;
      r.actor.send({ type: 'tick' });
      expect(r.sent.length).toBe(before); // nothing changed: nothing sent
      r.actor.send({ type: 'move', pid: 1, x: 120, y: 100, now: 1000 });
      expect(r.tag(2, 1, 2000)).toMatchObject({ ok: true });
      r.actor.send({ type: 'tick' });
      const patch = r.sent.findLast((s) => s.name === StatePatch.name)!.payload as Uint8Array;
      // seq, ref of player 1 + mask + x (u16), ref of player 2 + mask + score (u16)
      expect(patch.length).toBeLessThanOrEqual(1 + 4 + 4);
      c1.sync();
      c2.sync();
      expect(mirrored(c1.mirror)).toEqual(plain(r.room));
      expect(mirrored(c2.mirror)).toEqual(plain(r.room));
      expect(c2.mirror.state!.players.get(2)!.score).toBe(1);
      r.actor.send({ type: 'leave', pid: 1 });
      r.actor.send({ type: 'tick' });
      c2.sync();
      expect([...c2.mirror.state!.players.keys()]).toEqual([2]);
    });

    it('answers a full-state request (after a gap) with the current state', () => {
      const r = startRoom();
      r.join(player(1, 100, 100));
      r.actor.send({ type: 'move', pid: 1, x: 110, y: 100, now: 1000 });
      let answer: RoomAnswer<Uint8Array> | undefined;
      r.actor.send({ type: 'fullState', answer: (x) => (answer = x) });
      const m = new Mirror(ArenaState);
      m.apply((answer as { value: Uint8Array }).value);
      r.actor.send({ type: 'tick' });
      for (const s of r.sent) if (s.name === StatePatch.name) m.apply(s.payload as Uint8Array);
      expect(m.state!.players.get(1)).toMatchObject({ x: 110, y: 100 });
    });
  });
});
