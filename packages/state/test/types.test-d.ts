import { describe, expectTypeOf, it } from 'vitest';
import { Mirror, StateEncoder, array, boolean, delta, f32, map, string, struct, u16, u32, varint, type Infer, type Mirrored } from '../src/index.ts';

const Player = struct({ x: f32, y: f32, name: string, score: u16, alive: boolean });
const World = struct({ players: map(string, Player), byId: map(varint, Player), tick: u32, log: array(string) });

describe('types inferred from the declaration', () => {
  it('server state: plain fields, Map-like maps, typed values', () => {
    const enc = new StateEncoder(World, { players: [], byId: new Map(), tick: 0, log: [] });
    expectTypeOf(enc.state.tick).toEqualTypeOf<number>();
    expectTypeOf(enc.state.players.get('a')).toEqualTypeOf<Infer<typeof Player> | undefined>();
    expectTypeOf(enc.state.players.get('a')!.name).toEqualTypeOf<string>();
    expectTypeOf(enc.state.players.get('a')!.alive).toEqualTypeOf<boolean>();
    // @ts-expect-error a number key in a string-keyed map
    enc.state.players.get(1);
    // @ts-expect-error a missing field
    enc.state.players.set('b', { x: 0, y: 0, name: '', score: 0 });
    // @ts-expect-error a string where a number is declared
    enc.state.tick = 'x';
  });

  it('a delta(u16) field is a number on both sides', () => {
    const Pos = struct({ x: delta(u16), y: delta(u16) });
    const enc = new StateEncoder(Pos, { x: 1, y: 2 });
    expectTypeOf(enc.state.x).toEqualTypeOf<number>();
    expectTypeOf(new Mirror(Pos).state!.y).toEqualTypeOf<number>();
    // @ts-expect-error a string where a number is declared
    enc.state.x = '1';
  });

  it('mirror: read-only', () => {
    const m = new Mirror(World);
    expectTypeOf(m.state).toEqualTypeOf<Mirrored<typeof World> | undefined>();
    const s = m.state!;
    expectTypeOf(s.players).toEqualTypeOf<ReadonlyMap<string, { readonly x: number; readonly y: number; readonly name: string; readonly score: number; readonly alive: boolean }>>();
    expectTypeOf(s.byId.get(1)).toEqualTypeOf<Mirrored<typeof Player> | undefined>();
    expectTypeOf(s.log).toEqualTypeOf<readonly string[]>();
    // @ts-expect-error the mirror is read-only
    s.tick = 1;
  });
});
