import { describe, expect, it } from 'vitest';
import { Mirror, StateEncoder, StateErrorCode, delta, i32, map, string, struct, svarint, u16, u8, varint, type IntegerType } from '../src/index.ts';

const Player = struct({ name: string, x: delta(u16), y: delta(u16), score: u16 });
const World = struct({ players: map(i32, Player) });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function start() {
  const enc = new StateEncoder(World, { players: [[1, { name: 'ann', x: 500, y: 10, score: 0 }]] });
  const mirror = new Mirror(World);
  mirror.apply(enc.full());
  return { enc, mirror, p: enc.state.players.get(1)! };
}

describe('delta(u16) fields', () => {
  it('a patch carries the change since the last patch as an svarint (1 byte for a small step), full states the value', () => {
    const { enc, mirror, p } = start();
    p.x = 507;
    p.y = 7;
    const patch = enc.encode();
    // seq 1, ref 2, mask 0b0110, x +7 (svarint 0e), y -3 (svarint 05)
    expect(hex(patch)).toBe('0102060e05');
    mirror.apply(patch);
    expect(mirror.state?.players.get(1)).toEqual({ name: 'ann', x: 507, y: 7, score: 0 });
    // several changes in one tick: relative to the value at the last patch, not to the previous assignment
    p.x = 600;
    p.x = 490;
    p.y = 7;
    const p2 = enc.encode();
    // seq 2, ref 2, mask 0b0010 (y assigned its own value: no change), x -17 (svarint 21)
    expect(hex(p2)).toBe('02020221');
    mirror.apply(p2);
    expect(mirror.state?.players.get(1)?.x).toBe(490);
    // a full state carries the u16 itself
    const joiner = new Mirror(World);
    joiner.apply(enc.full());
    expect(joiner.state?.players.get(1)).toEqual({ name: 'ann', x: 490, y: 7, score: 0 });
  });

  it('set back to the last patch value in the same tick: the change is 0', () => {
    const { enc, mirror, p } = start();
    p.x = 9;
    p.x = 500;
    const patch = enc.encode();
    expect(hex(patch)).toBe('01020200');
    mirror.apply(patch);
    expect(mirror.state?.players.get(1)?.x).toBe(500);
  });

  it('a change taking the mirror out of the base range is malformed and leaves the mirror as it was', () => {
    const { mirror } = start();
    // x 500 + 70 000 > 65 535
    const w = new Uint8Array([0x01, 0x02, 0x02, ...svarintBytes(70_000)]);
    expect(() => mirror.apply(w)).toThrow(expect.objectContaining({ code: StateErrorCode.MALFORMED }));
    expect(mirror.state?.players.get(1)?.x).toBe(500);
    const below = new Uint8Array([0x01, 0x02, 0x04, ...svarintBytes(-11)]);
    expect(() => mirror.apply(below)).toThrow(expect.objectContaining({ code: StateErrorCode.MALFORMED }));
    expect(mirror.seq).toBe(0);
  });

  it('takes only fixed-width integers', () => {
    expect(() => delta(varint)).toThrow(expect.objectContaining({ code: StateErrorCode.BAD_SCHEMA }));
    expect(() => delta(svarint)).toThrow(expect.objectContaining({ code: StateErrorCode.BAD_SCHEMA }));
    expect(() => delta(delta(u8) as IntegerType)).toThrow(expect.objectContaining({ code: StateErrorCode.BAD_SCHEMA }));
    expect(delta(u8).name).toBe('delta(u8)');
  });
});

function svarintBytes(n: number): number[] {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  out.push(z);
  return out;
}
