import { describe, expect, it } from 'vitest';
import { Mirror, StateEncoder, StateError, StateErrorCode, map, snapshot, string, struct, u8, array, u16 } from '../src/index.ts';
import { Gen, World, mutate } from './model.ts';

const empty = { ents: new Map(), tick: 0, cfg: { mode: 0, title: '', big: 0 }, board: new Map(), list: [], wide: {} } as never;
const CODES: readonly string[] = Object.values(StateErrorCode);
const canon = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x instanceof Map ? { map: [...x].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)) } : x));

/** Applies bytes that may be bad: either a coded StateError with the mirror untouched, or a success. */
function tryApply(m: Mirror<typeof World>, bytes: Uint8Array): 'rejected' | 'applied' {
  const before = canon(m.state);
  const seq = m.seq;
  try {
    m.apply(bytes);
    return 'applied';
  } catch (e) {
    expect(e).toBeInstanceOf(StateError);
    expect(CODES).toContain((e as StateError).code);
    expect(canon(m.state)).toBe(before);
    expect(m.seq).toBe(seq);
    return 'rejected';
  }
}

describe('malformed and truncated patches', { timeout: 300_000 }, () => {
  it('give a coded error and leave the mirror as it was (random truncations and byte flips)', () => {
    let rejected = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const g = new Gen(seed * 31);
      const enc = new StateEncoder(World, empty);
      const m = new Mirror(World);
      m.apply(enc.full());
      for (let tick = 0; tick < 12; tick++) {
        for (let n = 1 + g.int(6); n > 0; n--) mutate(enc.state, g);
        const patch = enc.encodeTick().patch();
        const bad: Uint8Array[] = [];
        for (let i = 0; i < 8 && patch.length > 1; i++) bad.push(patch.subarray(0, 1 + g.int(patch.length - 1)));
        for (let i = 0; i < 4 && patch.length > 1; i++) {
          const b = patch.slice();
          const at = 1 + g.int(b.length - 1);
          b[at] = b[at]! ^ (1 << g.int(8));
          bad.push(b);
        }
        let diverged = false;
        for (const b of bad) {
          const r = tryApply(m, b);
          if (r === 'rejected') rejected++;
          if (r === 'applied' || m.stale) {
            // a cut at an entry boundary or a flip into another valid value decodes: resynchronise
            m.apply(enc.full());
            diverged = true;
          }
        }
        if (!diverged) m.apply(patch);
        expect(canon(m.state)).toBe(canon(snapshot(World, enc.state)));
      }
    }
    expect(rejected).toBeGreaterThan(500);
  });

  it('a corrupt full state leaves the previous state in place', () => {
    const enc = new StateEncoder(World, empty);
    enc.state.ents.set('a', new Gen(1).entity() as never);
    enc.encodeTick();
    const full = enc.full();
    const m = new Mirror(World);
    m.apply(full);
    for (let cut = 1; cut < full.length; cut++) tryApply(m, full.subarray(0, cut));
    expect(canon(m.state)).toBe(canon(snapshot(World, enc.state)));
  });
});

describe('bounded decoding', () => {
  const S = struct({ names: map(string, u8), list: array(u16), title: string });
  const full = (...body: number[]) => new Uint8Array([0x80, 0, 0, ...body]);
  const code = (m: Mirror<typeof S>, b: Uint8Array) => {
    try {
      m.apply(b);
    } catch (e) {
      return (e as StateError).code;
    }
    return 'ok';
  };

  it('checks declared counts and lengths against the bytes left before allocating', () => {
    const m = new Mirror(S);
    // map ref 1, count 2^49 (varint ff ff ff ff ff ff ff 01)
    expect(code(m, full(1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01))).toBe('STATE_TOO_LARGE');
    // map ref 1, empty; array ref 2, count 1_000 with 2 bytes left
    expect(code(m, full(1, 0, 2, 0xe8, 0x07, 0, 0))).toBe('STATE_TOO_LARGE');
    // string announcing 100 B with 1 left
    expect(code(m, full(1, 0, 2, 0, 100, 0x41))).toBe('STATE_TRUNCATED');
    // string over maxStringBytes
    expect(code(new Mirror(S, { maxStringBytes: 4 }), full(1, 0, 2, 0, 5, 65, 65, 65, 65, 65))).toBe('STATE_TOO_LARGE');
    // varint longer than 8 bytes
    expect(code(m, full(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01))).toBe('STATE_MALFORMED');
    expect(code(m, full(1, 0, 2, 0, 2, 0x68, 0x69))).toBe('ok');
    expect(m.state!.title).toBe('hi');
  });

  it('caps entries per map or array (maxCount)', () => {
    const m = new Mirror(S, { maxCount: 2 });
    expect(code(m, full(1, 3, 1, 0x61, 1, 1, 0x62, 2, 1, 0x63, 3, 2, 0, 0))).toBe('STATE_TOO_LARGE');
    expect(code(m, full(1, 2, 1, 0x61, 1, 1, 0x62, 2, 2, 0, 0))).toBe('ok');
  });

  it('rejects refs used twice, unknown refs, bad booleans and UTF-8', () => {
    const m = new Mirror(S);
    expect(code(m, full(1, 0, 1, 0, 0))).toBe('STATE_MALFORMED'); // array reuses ref 1
    expect(code(m, full(1, 0, 2, 0, 2, 0xc3, 0x28))).toBe('STATE_MALFORMED'); // invalid UTF-8
    expect(code(m, full(1, 0, 2, 0, 0))).toBe('ok');
    expect(code(m, new Uint8Array([1, 9, 1]))).toBe('STATE_MALFORMED'); // change to unknown ref 9
    expect(code(m, new Uint8Array([1, 1, 1, 7, 1, 0x61]))).toBe('STATE_MALFORMED'); // map op 7
    expect(code(m, new Uint8Array([1, 1, 1, 1, 1, 0x61]))).toBe('STATE_MALFORMED'); // delete of an absent key
    expect(code(m, new Uint8Array([1, 0, 0]))).toBe('STATE_MALFORMED'); // empty struct mask
    expect(code(m, new Uint8Array([1, 0, 0x08]))).toBe('STATE_MALFORMED'); // mask bit beyond the 3 fields
    expect(code(m, new Uint8Array([0x90]))).toBe('STATE_MALFORMED');
    expect(code(m, new Uint8Array([1, 1, 1, 0, 1, 0x61, 5]))).toBe('ok');
    expect(m.state!.names.get('a')).toBe(5);
  });
});
