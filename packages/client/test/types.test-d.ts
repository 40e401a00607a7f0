import { defineMessage, type RoomListing } from '@hearth/protocol';
import { describe, expectTypeOf, it } from 'vitest';
import { Mirror, f32, map, string, struct, type Mirrored } from '../../state/src/index.ts';
import { defineRoomKind, type ClientRoom, type CloseInfo, type HearthClient, type LoginReply } from '../src/index.ts';

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

const World = struct({ players: map(string, struct({ x: f32, y: f32 })) });
const Duel = defineRoomKind<{ mode?: string }, { mode: string; started: boolean }>('duel');
const Arena = defineRoomKind<{ map?: string }>('arena').synced(() => new Mirror(World));
const Moved = defineMessage<{ who: string; x: number; y: number }>(201, 'duel.moved');

describe('rooms, typed from the shared kinds and message definitions', () => {
  it('types a plain room: options, state, send, request, on', async () => {
    const duel = await client.joinOrCreate(Duel, { mode: 'ranked' });
    expectTypeOf(duel).toEqualTypeOf<ClientRoom<{ mode: string; started: boolean }, undefined>>();
    expectTypeOf(duel.state).toEqualTypeOf<{ mode: string; started: boolean }>();
    expectTypeOf(duel.mirror).toEqualTypeOf<undefined>();
    // @ts-expect-error: Duel's options have no `map`
    void client.joinOrCreate(Duel, { map: 'x' });
    expectTypeOf(duel.request(Join, { room: 'a' })).toEqualTypeOf<Promise<{ members: number }>>();
    // @ts-expect-error: the payload of Join has no `name`
    void duel.request(Join, { name: 'a' });
    expectTypeOf(duel.send(Move, { x: 1, y: 2 })).toEqualTypeOf<boolean>();
    // @ts-expect-error: y is missing
    duel.send(Move, { x: 1 });
    duel.on(Moved, (m) => expectTypeOf(m).toEqualTypeOf<{ who: string; x: number; y: number }>());
    duel.onLeave((info) => expectTypeOf(info).toEqualTypeOf<CloseInfo>());
    duel.onStateChange((state) => expectTypeOf(state).toEqualTypeOf<{ mode: string; started: boolean }>());
    expectTypeOf(duel.leave()).toEqualTypeOf<Promise<boolean>>();
  });

  it('types a synced room: its state is the mirror\'s, its mirror the one the kind makes', async () => {
    const arena = await client.create(Arena, { map: 'dust' }, { private: true });
    expectTypeOf(arena.state).toEqualTypeOf<Mirrored<typeof World>>();
    expectTypeOf(arena.mirror).toEqualTypeOf<Mirror<typeof World>>();
    const byId = await client.join('r1', {}, { kind: Arena });
    expectTypeOf(byId.state.players).toEqualTypeOf<ReadonlyMap<string, { readonly x: number; readonly y: number }>>();
  });

  it('types a room joined by a bare kind name as unknown state', async () => {
    const room = await client.join('r1');
    expectTypeOf(room.state).toEqualTypeOf<unknown>();
    const other = await client.joinOrCreate('chat', { anything: 1 });
    expectTypeOf(other.mirror).toEqualTypeOf<undefined>();
    expectTypeOf(client.listRooms(Duel, { mode: 'x' })).toEqualTypeOf<Promise<RoomListing[]>>();
    expectTypeOf(client.rooms.get('r1')).toEqualTypeOf<ClientRoom | undefined>();
  });
});
