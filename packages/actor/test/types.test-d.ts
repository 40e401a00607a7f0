import { defineMessage } from '@hearth/protocol';
import { describe, expectTypeOf, it } from 'vitest';
import { definePlayer, type Player } from '../src/index.ts';

const Move = defineMessage<{ x: number; y: number }, { ok: boolean }>(200, 'types.move');
const Chat = defineMessage<{ text: string }>(201, 'types.chat');
const JoinRoom = defineMessage<{ room: string }, { members: number }>(202, 'types.join');

describe('typed end to end', () => {
  it('gives a handler its payload type and requires its reply type', () => {
    definePlayer({ data: () => ({ x: 0 }) })
      .handle(Move, (player, payload) => {
        expectTypeOf(payload).toEqualTypeOf<{ x: number; y: number }>();
        expectTypeOf(player).toExtend<Player<{ x: number }>>();
        player.data.x = payload.x;
        return { ok: true };
      })
      .handle(Chat, (_player, { text }) => {
        expectTypeOf(text).toBeString();
      });
  });

  it('rejects a wrong payload, a wrong reply, and a wrong push', () => {
    const p = definePlayer();
    // @ts-expect-error the payload of Move has no `z`
    p.handle(Move, (_player, payload: { z: string }) => ({ ok: payload.z === '' }));
    // @ts-expect-error the reply of Move is { ok: boolean }
    p.handle(Move, () => ({ ok: 'yes' }));
    p.handle(Move, (player) => {
      // @ts-expect-error Chat's payload is { text: string }
      player.push(Chat, { text: 1 });
      return { ok: true };
    });
  });

  it('types routed statechart events from their definitions', () => {
    definePlayer({ data: () => ({ room: '' }) })
      .route('join', JoinRoom)
      .events<{ type: 'tick'; at: number }>()
      .game({
        initial: 'lobby',
        states: {
          lobby: {
            on: {
              join: {
                target: 'room',
                actions: ({ context, event }) => {
                  expectTypeOf(event.payload).toEqualTypeOf<{ room: string }>();
                  context.data.room = event.payload.room;
                  event.reply({ members: 1 });
                  // @ts-expect-error the reply of JoinRoom is { members: number }
                  event.reply({ members: 'one' });
                },
              },
              tick: { actions: ({ event }) => expectTypeOf(event.at).toBeNumber() },
            },
          },
          room: {},
        },
      });
  });
});
