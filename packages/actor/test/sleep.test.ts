import { defineMessage } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlayer } from '../src/index.ts';
import type { PlayerActor } from '../src/player/PlayerActor.ts';
import { ManualClock } from '../src/testing/index.ts';
import { Join, cleanup, clientService, connect, startServer, testPlayer } from './helpers.ts';

afterEach(cleanup);

const Start = defineMessage<Record<string, never>, boolean>(110, 'test.start');

describe('sleeping player actors (only the snapshot kept while idle)', () => {
  it('sleeps after login, wakes for a routed event with state and data intact, and sleeps again when idle', async () => {
    const clock = new ManualClock();
    // heartbeatTimeout 1,000 s: checks every 200 s of the injected clock, no suspicion in this test
    const { node, port } = await startServer(testPlayer(), { clock, timeouts: { heartbeatTimeout: 1_000_000 } });
    const client = await connect(clientService(), port);
    await client.login('sam');
    const player = node.holder.get('sam') as PlayerActor;
    expect(player.asleep).toBe(true);
    const data = player.data;
    expect(player.state).toEqual({ active: { heartbeat: 'alive', game: 'lobby' } });
    await expect(client.request(Join, { room: 'r1' })).resolves.toEqual({ members: 1 });
    expect(player.asleep).toBe(false);
    expect(player.state).toEqual({ active: { heartbeat: 'alive', game: 'inRoom' } });
    expect(player.data).toBe(data);
    expect(data).toMatchObject({ room: 'r1' });
    // The first check after a statechart event keeps it awake; the next one with none puts it to sleep.
    clock.advance(200_000);
    expect(player.asleep).toBe(false);
    clock.advance(200_000);
    expect(player.asleep).toBe(true);
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
          waiting: { after: { 500_000: 'done' } },
          done: {},
        },
      });
    // The injected clock drives both the heartbeat checks (every 200 s here) and xstate's `after`
    // delay, so their order is fixed: checks at 200 s and 400 s pass while the transition is pending.
    const clock = new ManualClock();
    const { node, port } = await startServer(player, { clock, timeouts: { heartbeatTimeout: 1_000_000 } });
    const client = await connect(clientService(), port);
    await client.login('dee');
    const actor = node.holder.get('dee') as PlayerActor;
    expect(actor.asleep).toBe(true);
    await expect(client.request(Start, {})).resolves.toBe(true);
    const game = (): string => (actor.state as { active: { game: string } }).active.game;
    clock.advance(200_000); // first check: a statechart event since the last one, stays awake
    expect([actor.asleep, game()]).toEqual([false, 'waiting']);
    clock.advance(200_000); // second check, idle: would sleep, but the delayed event is pending
    expect([actor.asleep, game()]).toEqual([false, 'waiting']);
    clock.advance(100_000); // 500 s: the delayed transition fires
    expect([actor.asleep, game()]).toEqual([false, 'done']);
    clock.advance(100_000); // third check at 600 s: nothing pending, it sleeps
    expect(actor.asleep).toBe(true);
    expect(actor.state).toMatchObject({ active: { game: 'done' } });
  });
});
