import { createNode, definePlayer, type HearthNode } from '@hearth/actor';
import { HearthClient } from '@hearth/client';
import { Service } from '@hearth/net';
import { defineMessage, Login } from '@hearth/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts, accountOf, accountsAuthenticator, deviceAuthenticator, openStorage, passwordAuthenticator, type SqlStorage } from '../src/index.ts';
import { createPrivateDatabase, startTcpProxy, TEST_SERVER_URL, withDatabase, type PrivateDatabase, type TcpProxy } from '../src/testing/index.ts';
import { testClock } from './engines.ts';

const Echo = defineMessage<{ n: number }, { n: number }>(100, 'test.echo');
const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtMTIz';
const codeOf = (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: unknown) => (e as { code?: string }).code ?? 'none');

/**
 * Logins over real sockets: a node on 127.0.0.1 with the device and password authenticators, the
 * actor layer's LoginThrottle (per address and per account, with `accountOf`), and PostgreSQL behind
 * a proxy that can cut the database off.
 */
describe('logins over TCP with PostgreSQL', () => {
  const clock = testClock();
  let db: PrivateDatabase;
  let proxy: TcpProxy;
  let storage: SqlStorage;
  let server: Service;
  const clients: HearthClient[] = [];
  let node: HearthNode<unknown, never>;
  let port: number;

  beforeAll(async () => {
    db = await createPrivateDatabase();
    const target = new URL(TEST_SERVER_URL);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    storage = await openStorage(withDatabase(`postgres://${target.username || 'postgres'}@127.0.0.1:${proxy.port}/`, db.name), {
      connectTimeoutSeconds: 2,
    });
    const accounts = new Accounts(storage, { argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
    server = new Service({ log: false });
    node = (await createNode({
      service: server,
      player: definePlayer().handle(Echo, (_p, body) => body),
      authenticate: accountsAuthenticator({ device: deviceAuthenticator(accounts), password: passwordAuthenticator(accounts) }),
      loginThrottle: { userOf: accountOf, maxFailuresPerUser: 3, maxFailuresPerAddress: 100, windowMs: 60_000, now: clock.now },
      listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
    })) as unknown as HearthNode<unknown, never>;
    port = node.endpoints[0]!.port;
  });
  afterAll(async () => {
    await node?.close();
    for (const client of clients) client.close();
    await server?.close({ deadlineMs: 500 });
    await storage?.close();
    await proxy?.close();
    await db?.drop();
  });

  /** A game client (plain msgpack over TCP, no reconnect), not logged in. */
  const dial = async (): Promise<HearthClient> => {
    const client = new HearthClient({ url: `tcp://127.0.0.1:${port}`, protocol: 'msgpack', reconnect: false });
    clients.push(client);
    await client.connect();
    return client;
  };

  it('a device logs in and gets its account in the reply', async () => {
    const ref = await dial();
    const reply = await ref.request(Login, { device: 'bot-device-1', secret: SECRET });
    expect(reply).toMatchObject({ userId: expect.any(String), displayName: 'Guest-ce-1', created: true });
    expect(await ref.request(Echo, { n: 7 })).toEqual({ n: 7 });
    ref.close('NORMAL');
  });

  it('failed logins are throttled per account, whatever the connection; the window ends by the clock', async () => {
    const reg = await dial();
    await reg.request(Login, { register: true, username: 'henry', password: 'henry password' });
    reg.close('NORMAL');
    for (let i = 0; i < 3; i++) {
      const ref = await dial();
      expect(await codeOf(ref.request(Login, { username: 'henry', password: `guess ${i}xx` }))).toBe('UNAUTHENTICATED');
      ref.close('NORMAL');
    }
    const ref = await dial();
    expect(await codeOf(ref.request(Login, { username: 'HENRY', password: 'henry password' }))).toBe('RATE_LIMITED');
    // Guessing a device's secret is throttled the same way.
    for (let i = 0; i < 3; i++) expect(await codeOf(ref.request(Login, { device: 'bot-device-1', secret: `${SECRET}${i}` }))).toBe('UNAUTHENTICATED');
    expect(await codeOf(ref.request(Login, { device: 'bot-device-1', secret: SECRET }))).toBe('RATE_LIMITED');
    clock.advance(60_000);
    expect(await ref.request(Login, { username: 'henry', password: 'henry password' })).toMatchObject({ displayName: 'henry' });
    ref.close('NORMAL');
  });

  it('database down: new logins fail STORAGE_UNAVAILABLE, players already in keep playing; back up, logins work', async () => {
    const playing = await dial();
    await playing.request(Login, { device: 'player-in-game', secret: SECRET });
    await proxy.down();
    const late = await dial();
    expect(await codeOf(late.request(Login, { device: 'late-device-1', secret: SECRET }))).toBe('STORAGE_UNAVAILABLE');
    expect(await codeOf(late.request(Login, { username: 'henry', password: 'henry password' }))).toBe('STORAGE_UNAVAILABLE');
    expect(await playing.request(Echo, { n: 1 })).toEqual({ n: 1 });
    await proxy.up();
    expect(await late.request(Login, { device: 'late-device-1', secret: SECRET })).toMatchObject({ created: true });
    expect(await playing.request(Echo, { n: 2 })).toEqual({ n: 2 });
    playing.close('NORMAL');
    late.close('NORMAL');
  });

  it('logins refused STORAGE_UNAVAILABLE during an outage do not count as failed logins', async () => {
    const ref = await dial();
    await proxy.down();
    // More attempts than the per-account limit (3 here), all failing because the database is down.
    for (let i = 0; i < 5; i++) expect(await codeOf(ref.request(Login, { device: 'outage-device', secret: SECRET }))).toBe('STORAGE_UNAVAILABLE');
    await proxy.up();
    expect(await ref.request(Login, { device: 'outage-device', secret: SECRET })).toMatchObject({ created: true });
    ref.close('NORMAL');
  });
});
