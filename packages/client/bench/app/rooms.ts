// The minimal client (main.ts) plus a room: join or create, a typed room push handler, a typed
// room request, leave. What a game with matchmaking but no synchronised state bundles.
import { HearthClient, defineMessage, defineRoomKind } from '@hearth/client';

const Duel = defineRoomKind<{ mode?: string }, { mode: string; started: boolean }>('duel');
const Move = defineMessage<{ x: number; y: number }, { ok: boolean }>(200, 'duel.move');
const Moved = defineMessage<{ who: string; x: number; y: number }>(201, 'duel.moved');

const client = new HearthClient({ url: 'wss://game.example.com/', serverKey: '03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8' });
client.on('disconnected', ({ code }) => console.log('reconnecting', code));
client.on('resumed', () => console.log('back'));
await client.connect();
await client.login({ name: 'ada' });
const room = await client.joinOrCreate(Duel, { mode: 'ranked' });
room.on(Moved, (m) => console.log(m.who, m.x, m.y));
room.onLeave(({ code }) => console.log('left', code));
console.log(room.state.mode, await room.request(Move, { x: 1, y: 2 }));
await room.leave();
