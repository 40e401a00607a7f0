import { describe, expect, it } from 'vitest';
import { ErrorCode, FrameReader, HearthError, encodeFrame, type ByteAllocator } from '../src/index.ts';

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const bodies = [
  Uint8Array.of(1),
  Uint8Array.from({ length: 300 }, (_, i) => i & 0xff),
  Uint8Array.of(7, 8, 9),
  Uint8Array.from({ length: 70 }, (_, i) => 255 - i),
];
const stream = concat(bodies.map(encodeFrame));

function readAll(chunks: Uint8Array[], reader = new FrameReader()): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const c of chunks) reader.push(c, (b) => out.push(b.slice()));
  return out;
}

describe('FrameReader', () => {
  it('gives the same frames for every single split point', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const got = readAll([stream.subarray(0, cut), stream.subarray(cut)]);
      expect(got, `cut at ${cut}`).toEqual(bodies);
    }
  });

  it('gives the same frames for every pair of split points', () => {
    const small = concat(bodies.filter((b) => b.length < 100).map(encodeFrame));
    const expected = bodies.filter((b) => b.length < 100);
    for (let i = 0; i <= small.length; i++) {
      for (let j = i; j <= small.length; j++) {
        const got = readAll([small.subarray(0, i), small.subarray(i, j), small.subarray(j)]);
        expect(got).toEqual(expected);
      }
    }
  });

  it('gives the same frames one byte at a time', () => {
    const chunks = Array.from(stream, (b) => Uint8Array.of(b));
    expect(readAll(chunks)).toEqual(bodies);
  });

  it('hands out views of the chunk when a frame is whole, and copies only split frames', () => {
    const reader = new FrameReader();
    const seen: Uint8Array[] = [];
    reader.push(stream, (b) => seen.push(b));
    expect(seen.every((b) => b.buffer === stream.buffer)).toBe(true);
    const split: boolean[] = [];
    reader.push(stream.subarray(0, 10), (b) => split.push(b.buffer === stream.buffer));
    reader.push(stream.subarray(10), (b) => split.push(b.buffer === stream.buffer));
    expect(split).toEqual([true, false, true, true]);
  });

  it('says which bodies were assembled from several chunks (the others are views of the chunk)', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new FrameReader();
      const flags: boolean[] = [];
      for (const c of [stream.subarray(0, cut), stream.subarray(cut)]) {
        reader.push(c, (b, assembled) => {
          expect(assembled, `cut at ${cut}`).toBe(b.buffer !== stream.buffer);
          flags.push(assembled);
        });
      }
      expect(flags.length).toBe(bodies.length);
    }
  });

  it('returns assembly buffers to the allocator', () => {
    let out = 0;
    const allocator: ByteAllocator = { alloc: (n) => (out++, new Uint8Array(n)), release: () => { out--; } };
    const reader = new FrameReader({ allocator });
    readAll(Array.from(stream, (b) => Uint8Array.of(b)), reader);
    expect(out).toBe(0);
    reader.push(stream.subarray(0, 12), () => {}); // frame 1 whole, frame 2 begun
    expect(out).toBe(1);
    reader.dispose();
    expect(out).toBe(0);
  });

  it('rejects an empty frame with FRAME_EMPTY and stays failed', () => {
    const reader = new FrameReader();
    const frames: Uint8Array[] = [];
    const push = () => reader.push(concat([encodeFrame(Uint8Array.of(5)), Uint8Array.of(0, 0, 0, 0)]), (b) => frames.push(b));
    expect(push).toThrow(expect.objectContaining({ code: ErrorCode.FRAME_EMPTY }));
    expect(frames).toHaveLength(1);
    expect(() => reader.push(encodeFrame(Uint8Array.of(1)), () => {})).toThrow(HearthError);
  });

  it('rejects an oversized length with FRAME_TOO_LARGE before reading the body, even split in the header', () => {
    const reader = new FrameReader({ maxFrameBytes: 16 });
    reader.push(encodeFrame(new Uint8Array(16)), () => {});
    reader.push(Uint8Array.of(0, 0), () => {});
    expect(() => reader.push(Uint8Array.of(0, 17), () => {})).toThrow(
      expect.objectContaining({ code: ErrorCode.FRAME_TOO_LARGE }),
    );
    expect(() => new FrameReader().push(Uint8Array.of(0xff, 0xff, 0xff, 0xff), () => {})).toThrow(
      expect.objectContaining({ code: ErrorCode.FRAME_TOO_LARGE }),
    );
  });
});
