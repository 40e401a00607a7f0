import { describe, expect, it } from 'vitest';
import { Mirror, StateEncoder, array, boolean, f32, map, snapshot, string, struct, u16, u32, varint } from '../src/index.ts';

const Vec = struct({ x: f32, y: f32 });
const Player = struct({ pos: Vec, name: string, score: u16, alive: boolean, tags: array(string) });
const World = struct({ players: map(string, Player), tick: u32, log: array(Vec), counts: map(varint, u16) });

describe('encode → mirror', () => {
  it('full state, then patches, stay equal', () => {
    const enc = new StateEncoder(World, { players: new Map(), tick: 0, log: [], counts: new Map() });
    const m = new Mirror(World);
    m.apply(enc.full());
    expect(snapshot(World, m.state)).toEqual(snapshot(World, enc.state));
    enc.state.players.set('ann', { pos: { x: 1.5, y: 2 }, name: 'Ann', score: 3, alive: true, tags: ['a'] });
    enc.state.tick = 1;
    m.apply(enc.encodeTick().patch());
    expect(snapshot(World, m.state)).toEqual(snapshot(World, enc.state));
    const ann = enc.state.players.get('ann')!;
    ann.pos.x = 7.25;
    ann.score++;
    ann.tags.push('b');
    enc.state.log.push({ x: 1, y: 1 });
    enc.state.counts.set(4, 9);
    const p = enc.encodeTick().patch();
    m.apply(p);
    expect(snapshot(World, m.state)).toEqual(snapshot(World, enc.state));
    enc.state.players.delete('ann');
    enc.state.log.reverse();
    m.apply(enc.encodeTick().patch());
    expect(snapshot(World, m.state)).toEqual(snapshot(World, enc.state));
  });
});

describe('no field cap (colyseus caps a type at 63 fields, schema#230)', () => {
  it('a struct of 100 fields round-trips, any field changing alone or together', () => {
    const fields: Record<string, typeof u16> = {};
    for (let i = 0; i < 100; i++) fields[`f${i}`] = u16;
    const Big = struct(fields);
    const enc = new StateEncoder(struct({ big: Big }), { big: {} });
    const m = new Mirror(struct({ big: Big }));
    m.apply(enc.full());
    const big = enc.state.big as Record<string, number>;
    big['f99'] = 1;
    let p = enc.encode();
    expect(p.length).toBe(1 + 1 + 13 + 2); // header, ref, 13-byte mask, one u16
    m.apply(p);
    for (let i = 0; i < 100; i += 7) big[`f${i}`] = i + 1;
    p = enc.encode();
    m.apply(p);
    expect(snapshot(Big, (m.state as { big: unknown }).big)).toEqual(snapshot(Big, big));
  });
});
