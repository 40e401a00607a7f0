import { defineMessage } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlayer } from '../src/index.ts';
import type { PlayerActor } from '../src/index.ts';
import { Join, cleanup, clientService, connect, startServer, testPlayer, until } from './helpers.ts';

afterEach(cleanup);

const Start = defineMessage<Record<string, never>, boolean>(110, 'test.start');

describe('sleeping player actors (only the snapshot kept while idle)', () => {
  it('sleeps after login, wakes for a routed event with state and data intact, and sleeps again when idle', async () => {
    const { node, port } = await startServer(testPlayer(), { timeouts: { heartbeatTimeout: 250 } });
    const client = await connect(clientService(), port);
    await client.login('sam');
    const player = node.holder.get('sam') as PlayerActor;
    expect(player.asleep).toBe(true);
    const data = player.data;
    expect(player.state).toEqual({ active: { heartbeat: 'alive', game: 'lobby' } });
    await expect(client.ref.request(Join, { room: 'r1' })).resolves.toEqual({ members: 1 });
    expect(player.asleep).toBe(false);
    expect(player.state).toEqual({ active: { heartbeat: 'alive', game: 'inRoom' } });
    expect(player.data).toBe(data);
    expect(data).toMatchObject({ room: 'r1' });
    // Heartbeat checks every 50 ms: the second one with no statechart event puts it to sleep.
    await until(() => player.asleep);
    expect(player.state).toEqual({ active: { heartbeat: 'alive', game: 'inRoom' } });
    // Asleep, a throwing action still rolls back to the state before the event.
    player.raise({ type: 'explode' });
    expect(player.state).toEqual({ active: { heartbeat: 'alive', game: 'inRoom' } });
    expect(player.alive).toBe(true);
    expect(node.holder.snapshots()).toEqual([expect.objectContaining({ userId: 'sam', state: player.state })]);
  });

  it('stays awake while a delayed transition is pending, and the delayed transition fires', async () => {
    const player = definePlayer()
      .route('start', Start)
      .game({
        initial: 'idle',
        states: {
          idle: { on: { start: { target: 'waiting', actions: ({ event }) => event.reply(true) } } },
          waiting: { after: { 300: 'done' } },
          done: {},
        },
      });
    // Heartbeat checks every 50 ms: several pass while the delayed transition is pending.
    const { node, port } = await startServer(player, { timeouts: { heartbeatTimeout: 250 } });
    const client = await connect(clientService(), port);
    await client.login('dee');
    const actor = node.holder.get('dee') as PlayerActor;
    expect(actor.asleep).toBe(true);
    await expect(client.ref.request(Start, {})).resolves.toBe(true);
    let slept = false;
    await until(() => {
      slept ||= actor.asleep;
      return (actor.state as { active: { game: string } }).active.game === 'done';
    });
    expect(slept).toBe(false);
    await until(() => actor.asleep);
    expect(actor.state).toMatchObject({ active: { game: 'done' } });
  });
});
