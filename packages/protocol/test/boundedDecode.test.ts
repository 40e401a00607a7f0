import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_DEPTH,
  ErrorCode,
  HearthError,
  ScanError,
  ServerHandshake,
  decodeBatch,
  decodeValue,
  scanValue,
} from '../src/index.ts';

/** A seeded PRNG (mulberry32): the fuzz cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random msgpack-encodable value using every format family (widths cross each size boundary). */
function randomValue(rand: () => number, depth: number): unknown {
  const pick = Math.floor(rand() * (depth > 4 ? 9 : 12));
  const int = (bits: number) => Math.floor(rand() * 2 ** bits);
  const len = () => [0, 1, 15, 16, 31, 32, 255, 256, 65_535, 65_536, int(6)][Math.floor(rand() * 11)]!;
  switch (pick) {
    case 0: return null;
    case 1: return rand() < 0.5;
    case 2: return int(7) - (rand() < 0.3 ? 32 : 0);
    case 3: return [int(8), int(16), int(32), 2 ** 53 - 1 - int(8)][Math.floor(rand() * 4)]! * (rand() < 0.5 ? -1 : 1);
    case 4: return rand() * 1e6 - 5e5;
    case 5: return 'é✓'.repeat(int(3)) + 'x'.repeat(len() >> (rand() < 0.9 ? 8 : 0));
    case 6: return Uint8Array.from({ length: len() >> (rand() < 0.9 ? 8 : 0) }, () => int(8));
    case 7: return new Date(int(40));
    case 8: return rand() < 0.5 ? [] : {};
    case 9:
    case 10: return Array.from({ length: int(3) }, () => randomValue(rand, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = int(3); i > 0; i--) o[`k${int(6)}`] = randomValue(rand, depth + 1);
      return o;
    }
  }
}

function nested(depth: number, inner: unknown = 1): unknown {
  let v = inner;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function repeat(pattern: number[], times: number): Uint8Array {
  const out = new Uint8Array(pattern.length * times);
  for (let i = 0; i < times; i++) out.set(pattern, i * pattern.length);
  return out;
}

/** The allocation bombs of issue 9 (3 bytes declaring 65,535 elements each, and so on). */
const bombs: Array<[string, Uint8Array]> = [
  ['dc ff ff x10,000 (array16 headers)', repeat([0xdc, 0xff, 0xff], 10_000)],
  ['dc ff ff x2,000', repeat([0xdc, 0xff, 0xff], 2_000)],
  ['de ff ff x10,000 (map16 headers)', repeat([0xde, 0xff, 0xff], 10_000)],
  ['a lone array32 header of 2^32-1', Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff)],
  ['a lone map32 header of 2^32-1', Uint8Array.of(0xdf, 0xff, 0xff, 0xff, 0xff)],
  ['str32/bin32/ext32 of 2^32-1', Uint8Array.of(0xdb, 0xff, 0xff, 0xff, 0xff, 0xc6, 0xff, 0xff, 0xff, 0xff)],
  ['1 MiB of 0x91 (deep nesting)', new Uint8Array(1 << 20).fill(0x91)],
];

describe('scanValue', () => {
  it('ends exactly where every encoded value ends (500 random values)', () => {
    const rand = prng(9);
    for (let i = 0; i < 500; i++) {
      const bytes = encode(randomValue(rand, 0));
      expect(scanValue(bytes, 0, bytes.length, DEFAULT_MAX_DEPTH)).toBe(bytes.length);
    }
  });

  it('reports TRUNCATED for every proper prefix of a value', () => {
    const bytes = encode({ a: [1, 'two', Uint8Array.of(3), { d: 4.5, e: -70_000 }], big: 2 ** 40, t: new Date(0) });
    for (let cut = 0; cut < bytes.length; cut++) expect(scanValue(bytes, 0, cut, DEFAULT_MAX_DEPTH)).toBe(ScanError.TRUNCATED);
  });

  it('counts nesting: maxDepth arrays pass, one more is TOO_DEEP; scalars and empty containers count as they nest', () => {
    for (const depth of [0, 1, 2, 31, 32, 33]) {
      const bytes = encode(nested(depth));
      expect(scanValue(bytes, 0, bytes.length, 32)).toBe(depth <= 32 ? bytes.length : ScanError.TOO_DEEP);
    }
    expect(scanValue(encode([[]]), 0, 2, 1)).toBe(ScanError.TOO_DEEP);
    expect(scanValue(encode(5), 0, 1, 0)).toBe(1);
    expect(scanValue(Uint8Array.of(0xc1), 0, 1, 32)).toBe(ScanError.INVALID);
  });

  it('refuses each bomb after reading at most its first few headers', () => {
    for (const [, bytes] of bombs) expect(scanValue(bytes, 0, bytes.length, DEFAULT_MAX_DEPTH)).toBeLessThan(0);
  });
});

describe('decodeValue', () => {
  it('round-trips valid values', () => {
    const rand = prng(42);
    for (let i = 0; i < 300; i++) {
      const value = randomValue(rand, 0);
      expect(decodeValue(encode(value))).toEqual(value);
    }
  });

  it('throws only PROTOCOL_ERROR (or the given code) on random bytes and on mutated values', () => {
    const rand = prng(7);
    let decoded = 0;
    for (let i = 0; i < 6_000; i++) {
      let bytes: Uint8Array;
      if (i % 2 === 0) {
        bytes = Uint8Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256));
      } else {
        bytes = encode(randomValue(rand, 0)).slice();
        for (let k = 0; k < 3; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      }
      const code = i % 3 === 0 ? ErrorCode.HANDSHAKE_FAILED : ErrorCode.PROTOCOL_ERROR;
      try {
        decodeValue(bytes, i % 3 === 0 ? { code } : undefined);
        decoded++;
      } catch (e) {
        expect(e).toBeInstanceOf(HearthError);
        expect((e as HearthError).code).toBe(code);
      }
      try {
        decodeBatch(bytes, () => {});
      } catch (e) {
        expect(e).toBeInstanceOf(HearthError);
        expect((e as HearthError).code).toBe(ErrorCode.PROTOCOL_ERROR);
      }
    }
    expect(decoded).toBeGreaterThan(100); // the fuzz reaches the decoder, not only the scan
  });

  it('refuses a maxDepth that would turn the check off, and never allocates more stack than bytes', () => {
    for (const bad of [Number.NaN, -1, 1.5, Infinity]) {
      expect(() => decodeValue(encode(1), { maxDepth: bad })).toThrow(RangeError);
      expect(() => decodeBatch(encode([4, 1]), () => {}, { maxDepth: bad })).toThrow(RangeError);
    }
    const before = process.memoryUsage().arrayBuffers;
    expect(decodeValue(encode(nested(40)), { maxDepth: 0x7fff_ffff })).toEqual(nested(40));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('refuses trailing bytes and honours maxDepth', () => {
    expect(() => decodeValue(Uint8Array.of(1, 2))).toThrow(expect.objectContaining({ code: ErrorCode.PROTOCOL_ERROR }));
    expect(decodeValue(encode(nested(4)), { maxDepth: 4 })).toEqual(nested(4));
    expect(() => decodeValue(encode(nested(5)), { maxDepth: 4 })).toThrow(/nested deeper than 4/);
  });

  it.each(bombs)('refuses %s with a coded error, without allocating', (_, bytes) => {
    expect(() => decodeValue(bytes)).toThrow(expect.objectContaining({ code: ErrorCode.PROTOCOL_ERROR, message: expect.stringMatching(/decoding limits/) }));
  });
});

describe('decodeBatch limits', () => {
  it('accepts a payload nested maxDepth - 1 deep inside its message array, and refuses one level more', () => {
    const ok = encode([0, 100, nested(DEFAULT_MAX_DEPTH - 1)]);
    const seen: unknown[] = [];
    decodeBatch(ok, (m) => seen.push(m));
    expect(seen).toHaveLength(1);
    expect(() => decodeBatch(encode([0, 100, nested(DEFAULT_MAX_DEPTH)]), () => {})).toThrow(/nested deeper than 32/);
    expect(() => decodeBatch(encode([0, 100, nested(8)]), () => {}, { maxDepth: 8 })).toThrow(/nested deeper than 8/);
  });

  it.each(bombs)('refuses %s with PROTOCOL_ERROR before decoding it', (_, bytes) => {
    const seen: unknown[] = [];
    expect(() => decodeBatch(bytes, (m) => seen.push(m))).toThrow(
      expect.objectContaining({ code: ErrorCode.PROTOCOL_ERROR, message: expect.stringMatching(/nested deeper|bytes that remain/) }),
    );
    expect(seen).toHaveLength(0);
  });

  it('still delivers the messages before a bomb', () => {
    const body = new Uint8Array([...encode([4, 1]), ...repeat([0xdc, 0xff, 0xff], 100)]);
    const seen: unknown[] = [];
    expect(() => decodeBatch(body, (m) => seen.push(m))).toThrow(expect.objectContaining({ code: ErrorCode.PROTOCOL_ERROR }));
    expect(seen).toEqual([{ kind: 4, t: 1 }]);
  });
});

describe('decodeBatch state after errors and nested calls', () => {
  const withBin = encode([0, 100, Uint8Array.of(1, 2, 3)]);
  /** Whether `copyBinary` still copies, and the view decoder still reports lent views. */
  function decoderIntact(): void {
    let payload: unknown;
    decodeBatch(withBin, (m) => (payload = m.kind === 0 ? m.payload : undefined), { copyBinary: true });
    expect((payload as Uint8Array).buffer).not.toBe(withBin.buffer);
    expect(decodeBatch(withBin, () => {})).toBe(true);
  }

  it('a body refused mid-way leaves the shared decoders intact (copies, lent views reported)', () => {
    decoderIntact();
    for (const copyBinary of [false, true]) {
      const body = new Uint8Array([...encode([4, 1]), 0xdc, 0xff, 0xff]);
      expect(() => decodeBatch(body, () => {}, { copyBinary })).toThrow(expect.objectContaining({ code: ErrorCode.PROTOCOL_ERROR }));
      decoderIntact();
    }
  });

  const one = encode([4, 1]);
  const two = new Uint8Array([...one, ...one]);

  it.each([['one message', one], ['two messages', two]])('a handler that throws (%s) leaves the shared decoders intact', (_, body) => {
    for (const copyBinary of [false, true]) {
      expect(() => decodeBatch(body, () => { throw new Error('handler'); }, { copyBinary })).toThrow('handler');
      decoderIntact();
    }
  });

  it.each([['one message', one], ['two messages', two]])('a handler that decodes another body (%s) gets the same copying and bounds', (_, body) => {
    for (const copyBinary of [false, true]) {
      let inner: unknown;
      let lent = false;
      decodeBatch(body, () => {
        decodeBatch(withBin, (m) => (inner = m.kind === 0 ? m.payload : undefined), { copyBinary: true });
        lent = decodeBatch(withBin, () => {});
        expect(() => decodeBatch(encode([0, 100, nested(DEFAULT_MAX_DEPTH)]), () => {})).toThrow(/nested deeper than 32/);
      }, { copyBinary });
      expect((inner as Uint8Array).buffer).not.toBe(withBin.buffer);
      expect(lent).toBe(true);
      decoderIntact();
    }
  });
});

describe('handshake decoding limits', () => {
  it.each(bombs)('a hello of %s fails with HANDSHAKE_FAILED', (_, bytes) => {
    expect(() => new ServerHandshake({ secure: false }).receive(bytes)).toThrow(expect.objectContaining({ code: ErrorCode.HANDSHAKE_FAILED }));
  });

  it('refuses a hello with a nested element (handshake bodies are flat)', () => {
    expect(() => new ServerHandshake({ secure: false }).receive(encode(['hearth', 1, 0, [null]]))).toThrow(
      expect.objectContaining({ code: ErrorCode.HANDSHAKE_FAILED, message: expect.stringMatching(/nested deeper than 1/) }),
    );
  });
});
