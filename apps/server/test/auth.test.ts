import { Login } from '@hearth/protocol';
import { createPrivateDatabase } from '@hearth/storage/testing';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AUTH_NAMES, AUTHENTICATORS } from '../src/auth/authenticators.ts';
import { InsecureAuthWarning, type IntervalTimer } from '../src/auth/InsecureAuthWarning.ts';
import { isLoopbackHost } from '../src/auth/isLoopbackHost.ts';
import { DEFAULT_AUTH, parseServerConfig } from '../src/config/ServerConfig.ts';
import { MemberJoined } from '../src/arena/messages.ts';
import { startArena } from './fixtures/arenaProcess.ts';
import { TestClients } from './fixtures/testClients.ts';

const SECRET_A = 'YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh';
const SECRET_B = 'YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJi';
const codeOf = (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: unknown) => (e as { code?: string }).code ?? 'none');

describe('--auth', () => {
  it('defaults to accounts (device + password logins on storage, PGlite under .hearth/); dev only when asked for', () => {
    expect(DEFAULT_AUTH).toBe('accounts');
    expect(AUTHENTICATORS[DEFAULT_AUTH]).toMatchObject({ insecure: false, storage: true });
    expect(parseServerConfig([], {})).toMatchObject({ auth: 'accounts', storage: true, database: undefined, insecureDevAuth: false });
    // Without --auth, a public --host is fine: the default is a real authenticator.
    expect(parseServerConfig(['--host', '0.0.0.0'], {})).toMatchObject({ auth: 'accounts', host: '0.0.0.0' });
    expect(parseServerConfig(['--auth', 'dev'], {})).toMatchObject({ auth: 'dev', storage: false });
  });

  it('a server started without --auth accepts device logins (players shown by display name) and refuses a dev { name } login', async () => {
    await using db = await createPrivateDatabase();
    // An empty HEARTH_AUTH counts as unset: the fixture adds no --auth dev, the server chooses.
    await using server = startArena(['--database', db.url, '--protocol', 'msgpack', '--admin-port=-1'], { HEARTH_AUTH: '' });
    const { tcp } = await server.listening;
    expect(server.child.spawnargs.some((a) => a.startsWith('--auth'))).toBe(false);
    expect(await server.record((r) => r['event'] === 'listening')).toMatchObject({ auth: 'accounts' });
    await using clients = new TestClients();
    const dev = await clients.connect(tcp);
    expect(await codeOf(dev.client.request(Login, { name: 'ann' }))).toBe('BAD_REQUEST');
    const guest = await clients.connect(tcp);
    expect(await guest.client.request(Login, { device: 'phone-aaaa', secret: SECRET_A })).toMatchObject({ created: true, displayName: 'Guest-aaaa' });

    // Players on accounts appear in a room under their display names, not their user ids (UUIDs).
    const other = await clients.connect(tcp);
    await other.client.request(Login, { device: 'phone-bbbb', secret: SECRET_B });
    const first = await guest.join();
    const second = await other.join();
    expect(second.roomId).toBe(first.roomId);
    expect(await other.sees(first.you, () => true)).toMatchObject({ name: 'Guest-aaaa' });
    await expect.poll(() => guest.seen(MemberJoined).map((m) => m.name)).toEqual(['Guest-bbbb']);
  }, 60_000);

  it('chooses from a table of name -> factory (the dev authenticator is one entry)', () => {
    expect(AUTH_NAMES).toEqual(Object.keys(AUTHENTICATORS));
    expect(AUTHENTICATORS.dev.insecure).toBe(true);
  });

  it.each(['0.0.0.0', '::', '192.168.1.20', 'game.example.com'])('refuses --auth dev on --host %s without --insecure-dev-auth', (host) => {
    const run = () => parseServerConfig(['--auth', 'dev', '--host', host], {});
    expect(run).toThrow(new RegExp(`^--auth dev on --host ${host.replace(/\./g, '\\.')}: anyone who reaches the port could log in as any player; .*--insecure-dev-auth`));
    expect(parseServerConfig(['--auth', 'dev', '--host', host, '--insecure-dev-auth'], {})).toMatchObject({ host, insecureDevAuth: true });
    expect(parseServerConfig(['--host', host], { HEARTH_AUTH: 'dev', HEARTH_INSECURE_DEV_AUTH: '1' })).toMatchObject({ insecureDevAuth: true });
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['127.0.0.1.nip.io', false],
    ['128.0.0.1', false],
  ])('isLoopbackHost(%s) = %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('InsecureAuthWarning', () => {
  it('warns at start and on every tick of its (injected) timer until stopped', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    let tick: (() => void) | undefined;
    let cleared = false;
    const timer: IntervalTimer = {
      setInterval: (run, ms) => {
        expect(ms).toBe(60_000);
        tick = run;
        return 1;
      },
      clearInterval: () => void (cleared = true),
    };
    const warning = new InsecureAuthWarning(logger, '0.0.0.0', timer);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, event: 'insecure-dev-auth', host: '0.0.0.0' });
    expect(lines[0]!['msg']).toMatch(/^INSECURE: --auth dev on 0\.0\.0\.0: anyone who reaches this server can log in as any player/);
    tick!();
    tick!();
    expect(lines).toHaveLength(3);
    warning.stop();
    expect(cleared).toBe(true);
  });
});
