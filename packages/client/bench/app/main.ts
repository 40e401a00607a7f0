// A minimal browser game client: connect over wss with the secure protocol (server key pinned),
// log in, subscribe to a typed push, make a typed request. What a studio's first client does.
import { HearthClient, defineMessage } from '@hearth/client';

const Join = defineMessage<Record<string, never>, { room: string }>(100, 'arena.join');
const ChatLine = defineMessage<{ from: number; text: string }>(106, 'arena.chatLine');

const client = new HearthClient({ url: 'wss://game.example.com/', serverKey: '03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8' });
client.on(ChatLine, (line) => console.log(line.from, line.text));
client.on('disconnected', ({ code }) => console.log('reconnecting', code));
client.on('resumed', () => console.log('back'));
await client.connect();
await client.login({ name: 'ada' });
console.log(await client.request(Join, {}));
