import { defineMessage } from '@hearth/protocol';
import { describe, expectTypeOf, it } from 'vitest';
import type { CloseInfo, HearthClient, LoginReply } from '../src/index.ts';

const Move = defineMessage<{ x: number; y: number }>(101, 'move');
const Join = defineMessage<{ room: string }, { members: number }>(102, 'join');
const Line = defineMessage<{ text: string }>(103, 'line');

declare const client: HearthClient;

describe('typed from the message definitions', () => {
  it('types requests, replies, sends and handlers', () => {
    expectTypeOf(client.request(Join, { room: 'a' })).toEqualTypeOf<Promise<{ members: number }>>();
    // @ts-expect-error: the payload of Join has no `name`
    void client.request(Join, { name: 'a' });
    expectTypeOf(client.send(Move, { x: 1, y: 2 })).toEqualTypeOf<boolean>();
    // @ts-expect-error: y is missing
    client.send(Move, { x: 1 });
    client.on(Line, (payload) => expectTypeOf(payload).toEqualTypeOf<{ text: string }>());
    client.handle(Join, (payload) => {
      expectTypeOf(payload).toEqualTypeOf<{ room: string }>();
      return { members: 1 };
    });
    // @ts-expect-error: the reply of Join is { members: number }
    client.handle(Join, () => ({ members: 'one' }));
  });

  it('types lifecycle events and login', () => {
    client.on('closed', (info) => expectTypeOf(info).toEqualTypeOf<CloseInfo>());
    client.on('resumed', (reply) => expectTypeOf(reply).toEqualTypeOf<LoginReply>());
    client.on('connected', () => {});
    // @ts-expect-error: no such event
    client.on('opened', () => {});
    expectTypeOf(client.login({ name: 'ada' })).toEqualTypeOf<Promise<LoginReply>>();
  });
});
