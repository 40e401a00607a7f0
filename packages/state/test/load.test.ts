import { describe, expect, it } from 'vitest';
import { Mirror, StateEncoder, StateError, array, boolean, f32, map, snapshot, string, struct, u16, u32, varint } from '../src/index.ts';

const Vec = struct({ x: f32, y: f32 });
const Player = struct({ pos: Vec, name: string, score: u16, alive: boolean, tags: array(string) });
const World = struct({ players: map(string, Player), tick: u32, log: array(Vec), counts: map(varint, u16), origin: Vec });
const empty = () => ({ players: new Map(), tick: 0, log: [], counts: new Map(), origin: { x: 0, y: 0 } });

describe('StateEncoder.load (a checkpoint restored)', () => {
  it('a fresh encoder loaded with full() equals the original, then patches from there reach a mirror', () => {
    const a = new StateEncoder(World, empty());
    a.state.players.set('ann', { pos: { x: 1.5, y: 2 }, name: 'Ann', score: 3, alive: true, tags: ['a', 'b'] });
    a.state.tick = 42;
    a.state.log.push({ x: 1, y: 1 });
    a.state.counts.set(4, 9);
    a.state.origin.x = 3;
    a.encode();
    const b = new StateEncoder(World, empty(), { views: ['players'] });
    const players = b.state.players;
    b.load(a.full());
    expect(snapshot(World, b.state)).toEqual(snapshot(World, a.state));
    expect(b.state.players).toBe(players); // a viewed map is refilled in place
    expect(b.clean).toBe(true);
    const m = new Mirror(World);
    m.apply(b.full());
    b.state.players.get('ann')!.score = 4;
    b.state.tick++;
    m.apply(b.encodeTick().patch());
    expect(snapshot(World, m.state)).toEqual(snapshot(World, b.state));
    expect(m.state!.tick).toBe(43);
  });

  it('refuses bytes that are not a full state and leaves the state as it was', () => {
    const b = new StateEncoder(World, empty());
    b.state.tick = 7;
    b.encode();
    const good = new StateEncoder(World, empty()).full();
    expect(() => b.load(good.subarray(0, good.length - 1))).toThrow(StateError);
    expect(() => b.load(new Uint8Array([0xff, 1, 2]))).toThrow(StateError);
    expect(b.state.tick).toBe(7);
  });
});
