import { defineMessage, Login } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlayer, type Authenticator } from '../src/index.ts';
import { cleanup, clientService, connect, startServer } from './helpers.ts';

const WhoAmI = defineMessage<Record<string, never>, { name: string }>(120, 'test.whoami');

/** A player whose onJoin copies the login reply's display name into its data. */
const namedPlayer = () =>
  definePlayer({ data: () => ({ name: '' }) })
    .handle(WhoAmI, (player) => ({ name: player.data.name }))
    .hooks({
      onJoin: (player, login) => {
        const name = login['displayName'] ?? login['name'];
        player.data = { name: typeof name === 'string' ? name : '?' };
      },
    });

describe('onJoin', () => {
  afterEach(cleanup);

  it("gets the authenticator's reply, and the data it writes is kept (it runs after the login transition)", async () => {
    const authenticate: Authenticator = (credentials) => ({ userId: `u-${String(credentials['n'])}`, reply: { displayName: `Player ${String(credentials['n'])}` } });
    const server = await startServer(namedPlayer(), { authenticate });
    const client = await connect(clientService(), server.port);
    expect(await client.request(Login, { n: 7 })).toMatchObject({ userId: 'u-7', displayName: 'Player 7' });
    expect(await client.request(WhoAmI, {})).toEqual({ name: 'Player 7' });
  });

  it('gets the dev login reply ({ name })', async () => {
    const server = await startServer(namedPlayer());
    const client = await connect(clientService(), server.port);
    await client.login('ann');
    expect(await client.request(WhoAmI, {})).toEqual({ name: 'ann' });
  });
});
