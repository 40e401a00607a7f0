// The admin port's web routes (src/web): static files, /config.json, the dashboard's API and feed.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdminServer } from '../src/admin/AdminServer.ts';
import type { AdminSession, AdminSource, AdminStats } from '../src/admin/AdminSource.ts';
import { createMetrics } from '../src/admin/createMetrics.ts';
import { bucketQuantile } from '../src/web/bucketQuantile.ts';
import { DashboardFeed } from '../src/web/DashboardFeed.ts';
import { WebRoutes } from '../src/web/WebRoutes.ts';

const TOKEN = 'test-admin-token-0123456789abcdef';
const KEY = 'ab'.repeat(32);

function session(id: number, user: string, room: string): AdminSession {
  return { id, user, remoteAddress: '127.0.0.1', state: { active: { heartbeat: 'alive' } }, idleMs: 1, groups: [room] };
}

function source(stats: AdminStats = { sessionsOpen: 3, handshaking: 0, upgrading: 0, accepted: 3, closedByCode: {}, bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0 }): AdminSource {
  const all = [session(1, 'ann', 'room-1'), session(2, 'bob', 'room-1'), session(3, 'cyd', 'room-2')];
  return {
    stats: () => stats,
    sessions: (offset, limit) => ({ total: all.length, sessions: all.slice(offset, offset + limit) }),
    actorsByState: () => ({ active: 3 }),
    gameGauges: () => ({ arena_rooms: 2, arena_players: 3 }),
  };
}

/** A built page: index.html, a hashed asset, the dashboard, and a secret beside the root. */
function webDir(): string {
  const base = mkdtempSync(join(tmpdir(), 'hearth-web-'));
  const root = join(base, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  mkdirSync(join(root, 'admin'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>arena</title>');
  writeFileSync(join(root, 'assets', 'main-abc123.js'), 'console.log(1)');
  writeFileSync(join(root, 'admin', 'index.html'), '<!doctype html><title>dashboard</title>');
  writeFileSync(join(root, 'metrics'), 'a file named like an admin route');
  writeFileSync(join(root, '.env'), 'SECRET=1');
  writeFileSync(join(base, 'secret.txt'), 'outside the root');
  symlinkSync(base, join(root, 'up'));
  return root;
}

async function start(token?: string) {
  const src = source();
  const metrics = createMetrics(src);
  const routes = new WebRoutes({
    source: src,
    registry: metrics.registry,
    webDir: webDir(),
    page: { ws: 'ws://127.0.0.1:7701', protocol: 'msgpack+nacl', serverKey: KEY, tickHz: 20, auth: 'dev' },
    dashboard: {
      rooms: () => [
        { name: 'room-2', players: 1 },
        { name: 'room-1', players: 2 },
      ],
      player: (id) => (id === 1 ? { sessionId: 1, state: 'active', data: { name: 'ann' } } : undefined),
    },
    intervalMs: 20,
  });
  const admin = await AdminServer.listen({ source: src, registry: metrics.registry, port: 0, token, routes });
  return { admin, routes };
}

/** Sends a raw request line (no URL normalisation, unlike fetch) and resolves the status code. */
function rawStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (out += d));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(out)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

function getWithHost(url: string, host: string): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web routes on the admin port', () => {
  it('serves the built page and the dashboard, with cache and content-security headers', async () => {
    const { admin } = await start();
    await using _ = admin;
    const index = await fetch(`${admin.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await index.text()).toContain('arena');
    const asset = await fetch(`${admin.url}/assets/main-abc123.js`);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const redirect = await fetch(`${admin.url}/admin`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/admin/');
    expect(await (await fetch(`${admin.url}/admin/`)).text()).toContain('dashboard');
    expect(await (await fetch(`${admin.url}/config.json`)).json()).toEqual({ ws: 'ws://127.0.0.1:7701', protocol: 'msgpack+nacl', serverKey: KEY, tickHz: 20, auth: 'dev' });
  });

  it('never serves a file outside the directory, a dot-file, or a file shadowing an admin route', async () => {
    const { admin } = await start();
    await using _ = admin;
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/up/secret.txt', '/.env', '/%2eenv', '/index.html%00', '/..\\secret.txt']) {
      expect(await rawStatus(admin.port, path), path).toBe(404);
    }
    const metrics = await fetch(`${admin.url}/metrics`);
    expect(await metrics.text()).toContain('hearth_sessions_active');
  });

  it('with an admin token: the page and its config stay public, the dashboard API and /metrics need the token, a foreign Host is refused', async () => {
    const { admin } = await start(TOKEN);
    await using _ = admin;
    expect((await fetch(`${admin.url}/`)).status).toBe(200);
    expect((await fetch(`${admin.url}/admin/`)).status).toBe(200);
    expect((await fetch(`${admin.url}/config.json`)).status).toBe(200);
    for (const path of ['/admin/api/sessions', '/admin/api/rooms', '/admin/api/events', '/admin/api/player?id=1', '/metrics', '/admin/api/nope']) {
      expect((await fetch(`${admin.url}${path}`)).status, path).toBe(401);
    }
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await fetch(`${admin.url}/admin/api/sessions`, { headers: auth })).status).toBe(200);
    expect(await getWithHost(`${admin.url}/`, 'evil.example')).toBe(403);
    expect(await getWithHost(`${admin.url}/config.json`, 'evil.example')).toBe(403);
  });

  it('pages and searches sessions and rooms, and shows one player', async () => {
    const { admin } = await start();
    await using _ = admin;
    const api = async (path: string) => (await fetch(`${admin.url}/admin/api/${path}`)).json() as Promise<Record<string, unknown>>;
    expect(await api('sessions?limit=2')).toMatchObject({ total: 3, sessions: [{ id: 1 }, { id: 2 }] });
    expect(await api('sessions?q=BOB')).toMatchObject({ total: 1, sessions: [{ user: 'bob' }] });
    expect(await api('sessions?q=room-1&offset=1')).toMatchObject({ total: 2, sessions: [{ user: 'bob' }] });
    expect(await api('rooms')).toMatchObject({ total: 2, rooms: [{ name: 'room-1', players: 2 }, { name: 'room-2' }] });
    expect(await api('rooms?q=2')).toMatchObject({ total: 1, rooms: [{ name: 'room-2' }] });
    expect(await api('player?id=1')).toEqual({ sessionId: 1, state: 'active', data: { name: 'ann' } });
    expect((await fetch(`${admin.url}/admin/api/player?id=9`)).status).toBe(404);
    expect((await fetch(`${admin.url}/admin/api/player?id=x`)).status).toBe(400);
    expect((await fetch(`${admin.url}/admin/api/sessions?limit=-1`)).status).toBe(400);
  });

  it('streams samples as server-sent events: the history first, then one per interval', async () => {
    const { admin, routes } = await start();
    await using _ = admin;
    const res = await fetch(`${admin.url}/admin/api/events`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while ((text.match(/\ndata: /g) ?? []).length < 3) text += (await reader.read()).value ?? '';
    expect(text).toMatch(/^retry: 2000\nevent: history\ndata: \[/);
    const samples = [...text.matchAll(/(?:^|\n)data: (\{.*)\n/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
    expect(samples[0]).toMatchObject({ sessions: 3, game: { arena_rooms: 2, arena_players: 3 }, nodes: 1, actors: { active: 3 } });
    expect(routes.feed.subscribers).toBe(1);
    await reader.cancel();
    await admin.close();
    expect(routes.feed.subscribers).toBe(0);
  });
});

describe('dashboard feed', () => {
  it('turns running totals into per-second rates and the request histogram into p50/p99', async () => {
    const stats: AdminStats = { sessionsOpen: 1, handshaking: 0, upgrading: 0, accepted: 1, closedByCode: {}, bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0 };
    const src = source(stats);
    const metrics = createMetrics(src, { requestTypes: ['arena.tag', 'arena.join'] });
    let now = 10_000;
    const feed = new DashboardFeed({ source: src, registry: metrics.registry, now: () => now });
    const first = await feed.sample();
    expect(first).toMatchObject({ messagesInPerS: 0, requestP50Ms: null });
    Object.assign(stats, { bytesIn: 4000, bytesOut: 1000, messagesIn: 100, messagesOut: 50 });
    for (let i = 0; i < 99; i++) metrics.observe('arena.tag', 0.00004); // 40 us
    metrics.observe('arena.join', 0.08); // 80 ms
    now += 2000;
    const second = await feed.sample();
    expect(second).toMatchObject({ bytesInPerS: 2000, bytesOutPerS: 500, messagesInPerS: 50, messagesOutPerS: 25, requestsPerS: 50 });
    expect(second.requestP50Ms).toBeGreaterThan(0.01);
    expect(second.requestP50Ms).toBeLessThanOrEqual(0.05);
    expect(second.requestP99Ms).toBeGreaterThan(0.01);
    now += 1000;
    expect(await feed.sample()).toMatchObject({ messagesInPerS: 0, requestsPerS: 0, requestP50Ms: null });
    expect(feed.history).toHaveLength(3);
    feed.close();
  });

  it('bucketQuantile interpolates inside the bucket and caps at the largest finite bound', () => {
    expect(bucketQuantile([], 0.5)).toBeUndefined();
    expect(bucketQuantile([{ le: 1, count: 0 }, { le: Infinity, count: 0 }], 0.5)).toBeUndefined();
    expect(bucketQuantile([{ le: 1, count: 2 }, { le: 2, count: 4 }, { le: Infinity, count: 4 }], 0.5)).toBe(1);
    expect(bucketQuantile([{ le: 1, count: 1 }, { le: 2, count: 4 }, { le: Infinity, count: 4 }], 0.5)).toBeCloseTo(1 + 1 / 3);
    expect(bucketQuantile([{ le: 1, count: 1 }, { le: Infinity, count: 10 }], 0.99)).toBe(1);
  });
});

describe('--web-dir', () => {
  it('off serves nothing; a missing directory is refused with a line saying how to build the page', async () => {
    const { resolveWebDir } = await import('../src/web/defaultWebDir.ts');
    expect(resolveWebDir('off')).toBeUndefined();
    const dir = webDir();
    expect(resolveWebDir(dir)).toBe(dir);
    expect(() => resolveWebDir(join(dir, 'nope'))).toThrow(/--web-dir: ".*nope" is not a directory; build the page/);
  });
});
