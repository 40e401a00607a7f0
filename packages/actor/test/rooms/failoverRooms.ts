import { defineMessage } from '@hearth/protocol';
import { definePlayer, defineRoom } from '../../src/index.ts';

/** Adds `n` to the room's total; the reply is the new total. */
export const Add = defineMessage<{ n: number }, { total: number; ticks: number }>(250, 'test.failover.add');

/**
 * The failover tests' room: a total changed by members, a tick counter at 20 Hz, a checkpoint
 * every 5 ticks (250 ms); kept while empty (a dead node's rooms come back with no one in them).
 */
export const Counter = defineRoom({ name: 'counter', maxPlayers: 8, tickHz: 20, emptyTimeout: false, checkpointEvery: 5, state: () => ({ total: 0, ticks: 0 }) })
  .handle(Add, (room, _m, { n }) => {
    room.state.total += n;
    return { total: room.state.total, ticks: room.state.ticks };
  })
  .tick((room, _dt, tick) => {
    room.state.ticks = tick;
  });

export const counterPlayer = definePlayer();
