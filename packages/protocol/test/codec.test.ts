import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import {
  BatchWriter,
  ErrorCode,
  Kind,
  Login,
  MessageRegistry,
  decodeBatch,
  defineMessage,
  encodeMessage,
  type Message,
} from '../src/index.ts';

function decodeAll(body: Uint8Array, copyBinary = false): Message[] {
  const out: Message[] = [];
  decodeBatch(body, (m) => out.push(m), { copyBinary });
  return out;
}

const every: Message[] = [
  { kind: Kind.PUSH, type: 100, payload: { x: 1.5, y: -2, name: 'ann', tags: ['a'], raw: Uint8Array.of(1, 2) } },
  { kind: Kind.REQUEST, type: 65_536, payload: null, rid: 0xffff_ffff },
  { kind: Kind.REPLY, rid: 200, payload: [1, 2, 3] },
  { kind: Kind.ERROR, rid: 70_000, code: 'UNKNOWN_TYPE', text: 'no handler for type 999' },
  { kind: Kind.PING, t: 1_790_000_000_000 },
  { kind: Kind.PONG, t: 5 },
  { kind: Kind.CLOSE, code: 'KICKED', text: 'logged in elsewhere' },
];

describe('BatchWriter and decodeBatch', () => {
  it('round-trips every message kind in one batch', () => {
    const w = new BatchWriter({ initialBytes: 64 });
    for (const m of every) w.appendEncoded(encodeMessage(m));
    expect(w.count).toBe(every.length);
    expect(decodeAll(w.take())).toEqual(every);
    expect(w.count).toBe(0);
  });

  it('writes the same bytes as msgpack for the message arrays', () => {
    const w = new BatchWriter();
    w.push(100, { a: 1 });
    w.request(300, 'x', 70_000);
    w.reply(9, true);
    w.error(1, 'TIMEOUT', 't');
    w.ping(1_790_000_000_000);
    w.pong(0);
    w.close('SHUTDOWN', 'bye');
    expect(w.count).toBe(7);
    const expected = [
      [0, 100, { a: 1 }],
      [1, 300, 'x', 70_000],
      [2, 9, true],
      [3, 1, 'TIMEOUT', 't'],
      [4, 1_790_000_000_000],
      [5, 0],
      [6, 'SHUTDOWN', 'bye'],
    ].map((v) => encode(v));
    const flat = Uint8Array.from(expected.flatMap((b) => [...b]));
    expect(w.take()).toEqual(flat);
  });

  it('frames a batch with its length header in front, without copying', () => {
    const w = new BatchWriter();
    w.push(100, 'hi');
    const framed = w.takeFramed();
    const len = new DataView(framed.buffer, framed.byteOffset).getUint32(0);
    expect(len).toBe(framed.length - 4);
    expect(decodeAll(framed.subarray(4))).toEqual([{ kind: 0, type: 100, payload: 'hi' }]);
  });

  it('grows past its initial size and reuses its buffer', () => {
    const w = new BatchWriter({ initialBytes: 64 });
    const big = 'x'.repeat(10_000);
    w.push(100, big);
    w.push(101, big);
    expect(decodeAll(w.take()).map((m) => (m.kind === 0 ? m.type : -1))).toEqual([100, 101]);
  });

  it('copies binary payloads only when asked', () => {
    const w = new BatchWriter();
    w.push(100, Uint8Array.of(9, 9, 9));
    const body = w.take().slice();
    const [viewed] = decodeAll(body) as unknown as [{ payload: Uint8Array }];
    const [copied] = decodeAll(body, true) as unknown as [{ payload: Uint8Array }];
    body.fill(0);
    expect([...viewed.payload]).toEqual([0, 0, 0]);
    expect([...copied.payload]).toEqual([9, 9, 9]);
  });

  it('copies binary payloads out of a Node Buffer too', () => {
    const w = new BatchWriter();
    w.push(100, Uint8Array.of(4, 5));
    const body = Buffer.from(w.take());
    const [copied] = decodeAll(body, true) as unknown as [{ payload: Uint8Array }];
    body.fill(0);
    expect([...copied.payload]).toEqual([4, 5]);
  });

  it('drops a message whose payload cannot be encoded and keeps the batch well formed', () => {
    const w = new BatchWriter();
    w.push(100, 'before');
    expect(() => w.push(101, { n: 2n ** 70n })).toThrow();
    expect(() => w.request(101, () => 1, 3)).toThrow();
    expect(() => w.push(undefined as unknown as number, 'no type')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => w.reply(-1, 'bad rid')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    w.push(102, 'after');
    expect(w.count).toBe(2);
    expect(decodeAll(w.take()).map((m) => (m.kind === 0 ? m.payload : null))).toEqual(['before', 'after']);
  });

  const malformed: Array<[string, Uint8Array]> = [
    ['a bare number', encode(5)],
    ['an empty array', encode([])],
    ['an unknown kind', encode([9, 1])],
    ['a push without payload', encode([0, 100])],
    ['a negative type', encode([0, -1, null])],
    ['a request without rid', encode([1, 100, {}])],
    ['a string rid', encode([2, 'x', 1])],
    ['an error with a numeric code', encode([3, 1, 5, 'x'])],
    ['a ping with a string', encode([4, 'now'])],
    ['a close without text', encode([6, 'KICKED'])],
    ['truncated msgpack', encode([0, 100, 'hello']).subarray(0, 5)],
    ['an empty body', new Uint8Array(0)],
    ['a reserved msgpack byte', Uint8Array.of(0xc1)],
  ];
  it.each(malformed)('rejects %s with PROTOCOL_ERROR', (_, body) => {
    expect(() => decodeAll(body)).toThrow(expect.objectContaining({ code: ErrorCode.PROTOCOL_ERROR }));
  });

  it('delivers the messages before a malformed one, and lets handler errors through unchanged', () => {
    const body = Uint8Array.from([...encode([0, 100, 1]), ...encode('junk')]);
    const seen: Message[] = [];
    expect(() => decodeBatch(body, (m) => seen.push(m))).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }));
    expect(seen).toHaveLength(1);
    const boom = new Error('handler');
    expect(() => decodeBatch(encode([0, 100, 1]), () => { throw boom; })).toThrow(boom);
  });
});

describe('MessageRegistry', () => {
  const Move = defineMessage<{ x: number }>(100, 'move');
  it('finds definitions by type and name', () => {
    const r = new MessageRegistry([Move]);
    expect(r.get(100)).toBe(Move);
    expect(r.byName('move')).toBe(Move);
    expect(r.has(101)).toBe(false);
  });
  it('rejects duplicate types, duplicate names and reserved types', () => {
    expect(() => new MessageRegistry([Move, defineMessage(100, 'other')])).toThrow(/both use type 100/);
    expect(() => new MessageRegistry([Move, defineMessage(101, 'move')])).toThrow(/named "move"/);
    expect(() => new MessageRegistry([Login])).toThrow(expect.objectContaining({ code: ErrorCode.DEFINITION }));
    expect(new MessageRegistry([Login], { allowReserved: true }).get(1)).toBe(Login);
  });
});
