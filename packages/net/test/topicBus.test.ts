import { Kind, type InboundMessage } from '@hearth/protocol';
import { describe, expect, it } from 'vitest';
import type { SessionRef } from '../src/index.ts';
import { TopicBus } from '../src/topic/TopicBus.ts';

const ref = { id: 7 } as SessionRef;
const request = (type: number): InboundMessage => ({ kind: Kind.REQUEST, type, rid: 1, payload: null });

describe('TopicBus message delivery', () => {
  it('one subscriber is called directly; a typed or second subscriber brings back the lists, in order', () => {
    const lost: unknown[] = [];
    const bus = new TopicBus((e) => lost.push(e));
    const seen: string[] = [];
    const offA = bus.subMessage(() => void seen.push('a'));
    expect(bus.publishMessage(ref, request(5))).toBe(1);
    const offTyped = bus.subMessageOf(5, () => void seen.push('typed'));
    expect(bus.publishMessage(ref, request(5))).toBe(2);
    expect(bus.publishMessage(ref, request(6))).toBe(1);
    offTyped();
    const offB = bus.subMessage(() => void seen.push('b'));
    expect(bus.publishMessage(ref, request(5))).toBe(2);
    offB();
    expect(bus.publishMessage(ref, request(5))).toBe(1);
    offA();
    expect(bus.publishMessage(ref, request(5))).toBe(0);
    expect(seen).toEqual(['a', 'typed', 'a', 'a', 'a', 'b', 'a']);
    expect(lost).toEqual([]);
  });

  it('a handler returning false did not take the message (the session answers UNKNOWN_TYPE); one that threw did, and its error is published', () => {
    const errors: Error[] = [];
    const bus = new TopicBus(() => undefined);
    bus.subError((e) => void errors.push(e.error));
    bus.subMessage((_r, m) => m.type !== 9 && undefined);
    expect(bus.publishMessage(ref, request(9))).toBe(0);
    expect(bus.publishMessage(ref, request(8))).toBe(1);
    const off = bus.subMessageOf(9, () => {
      throw new Error('boom');
    });
    expect(bus.publishMessage(ref, request(9))).toBe(1);
    expect(errors.map((e) => e.message)).toEqual(['boom']);
    off();
    // Direct again, and a throw from the one handler is still caught and published.
    const bus2 = new TopicBus(() => undefined);
    const errors2: Error[] = [];
    bus2.subError((e) => void errors2.push(e.error));
    bus2.subMessage(() => {
      throw new Error('only');
    });
    expect(bus2.publishMessage(ref, request(1))).toBe(1);
    expect(errors2.map((e) => e.message)).toEqual(['only']);
  });
});
