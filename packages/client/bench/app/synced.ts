// The room client (rooms.ts) with a synchronised state: a @hearth/state Mirror kept by the room's
// patches. @hearth/state is the game's import (the client only knows the mirror's shape).
import { HearthClient, defineMessage, defineRoomKind } from '@hearth/client';
import { Mirror, f32, map, string, struct } from '../../../state/src/index.ts';

const World = struct({ players: map(string, struct({ x: f32, y: f32 })) });
const Arena = defineRoomKind<{ mode?: string }>('arena').synced(() => new Mirror(World));
const Move = defineMessage<{ x: number; y: number }, { ok: boolean }>(200, 'arena.move');

const client = new HearthClient({ url: 'wss://game.example.com/', serverKey: '03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8' });
client.on('resumed', () => console.log('back'));
await client.connect();
await client.login({ name: 'ada' });
const room = await client.joinOrCreate(Arena, { mode: 'ranked' });
room.mirror.onAdd(room.state.players, (p, id) => console.log('joined', id, p.x, p.y));
room.onStateChange((state) => console.log(state.players.size));
console.log(await room.request(Move, { x: 1, y: 2 }));
