import { defineMessage } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlayer } from '../src/index.ts';
import { cleanup, clientService, connect, memoryLogger, startServer, until } from './helpers.ts';

afterEach(cleanup);

const Spend = defineMessage<{ amount: number }, number>(120, 'test.spend');

/** A game whose `spend` action mutates the data, then throws when the purse runs dry. */
function purse() {
  return definePlayer({ data: () => ({ coins: 10, log: ['start'], nested: { spent: 0 } }) })
    .route('spend', Spend)
    .game({
      initial: 'shop',
      states: {
        shop: {
          on: {
            spend: {
              target: 'shop',
              reenter: true,
              actions: ({ context, event }) => {
                context.data.coins -= event.payload.amount;
                context.data.log.push(`spend ${event.payload.amount}`);
                context.data.nested.spent += event.payload.amount;
                if (context.data.coins < 0) throw new Error('overdrawn');
                event.reply(context.data.coins);
              },
            },
          },
        },
      },
    });
}

describe('a throwing statechart action rolls back the game data too', () => {
  it('restores data mutated before the throw (top level, arrays and nested objects)', async () => {
    const { node, port } = await startServer(purse());
    const client = await connect(clientService(), port);
    await client.login('ann');
    await expect(client.request(Spend, { amount: 4 })).resolves.toBe(6);
    await expect(client.request(Spend, { amount: 7 })).rejects.toMatchObject({ code: 'INTERNAL' });
    const player = node.holder.get('ann')!;
    expect(player.data).toEqual({ coins: 6, log: ['start', 'spend 4'], nested: { spent: 4 } });
    // The actor carries on from the restored data.
    await expect(client.request(Spend, { amount: 6 })).resolves.toBe(0);
    expect(player.data).toEqual({ coins: 0, log: ['start', 'spend 4', 'spend 6'], nested: { spent: 10 } });
  });

  it('data structuredClone refuses is left as the action made it, with one warning', async () => {
    const { logger, lines } = memoryLogger();
    const player = definePlayer({ data: () => ({ n: 0, fn: () => 1 }) })
      .events<{ type: 'bump' }>()
      .game({
        initial: 'idle',
        states: {
          idle: {
            on: {
              bump: {
                actions: ({ context }) => {
                  context.data.n++;
                  throw new Error('bump failed');
                },
              },
            },
          },
        },
      });
    const { node, port } = await startServer(player, { logger });
    const client = await connect(clientService(), port);
    await client.login('bob');
    node.holder.dispatch('bob', { type: 'bump' });
    node.holder.dispatch('bob', { type: 'bump' });
    expect(node.holder.get('bob')!.data.n).toBe(2);
    expect(node.holder.get('bob')!.alive).toBe(true);
    await until(() => lines.filter((l) => l['msg'] === 'a statechart action threw; the actor is restored to its state before the event').length === 2);
    expect(lines.filter((l) => String(l['msg']).startsWith('player data cannot be copied'))).toHaveLength(1);
  });
});
