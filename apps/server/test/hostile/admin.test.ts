// Attacks on the admin endpoint: no token, a foreign Host (DNS rebinding), a huge /sessions.
import { request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startArena } from '../fixtures/arenaProcess.ts';
import { TestClients } from '../fixtures/testClients.ts';

const TOKEN = 'test-admin-token-0123456789abcdef';

/** GET `path` on `admin` with exactly these headers (node:http: fetch will not send a foreign Host). */
function get(admin: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(path, admin);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers: { host: url.host, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends `text` on a plain socket and resolves everything the server answers. */
function rawGet(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (out += d));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('hostile: admin endpoint', { timeout: 60_000 }, () => {
  it('with --admin-token (HEARTH_ADMIN_TOKEN): 401 without or with a wrong bearer token; /health stays open', async () => {
    await using server = startArena(['--protocol', 'msgpack'], { HEARTH_ADMIN_TOKEN: TOKEN });
    const { admin } = await server.listening;
    for (const path of ['/metrics', '/sessions', '/nodes', '/nope']) {
      const none = await get(admin, path);
      expect(none.status, path).toBe(401);
      expect(none.body).toContain('admin token required');
      expect((await get(admin, path, { authorization: 'Bearer wrong-token-wrong-token' })).status, path).toBe(401);
      expect((await get(admin, path, { authorization: TOKEN })).status, path).toBe(401);
    }
    expect((await get(admin, '/metrics', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect(JSON.parse((await get(admin, '/sessions', { authorization: `bearer ${TOKEN}` })).body)).toMatchObject({ total: 0, sessions: [] });
    expect((await get(admin, '/health')).status).toBe(200);
  });

  it('refuses a Host that is not this endpoint (DNS rebinding), token or not', async () => {
    await using server = startArena(['--protocol', 'msgpack', '--admin-token', TOKEN]);
    const { admin } = await server.listening;
    const port = new URL(admin).port;
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1:${Number(port) + 1}`, '127.0.0.1', `localhost.evil.example:${port}`]) {
      const res = await get(admin, '/metrics', { ...auth, host });
      expect(res.status, `Host: ${host}`).toBe(403);
      expect(res.body).toContain('is not this admin endpoint');
      expect((await get(admin, '/health', { host })).status, host).toBe(403);
    }
    // HTTP/1.0 may omit Host altogether: refused too.
    const raw = await rawGet(Number(port), `GET /health HTTP/1.0\r\n\r\n`);
    expect(raw).toMatch(/^HTTP\/1\.1 403 /);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect((await get(admin, '/metrics', { ...auth, host })).status, host).toBe(200);
    }
  });

  it('/sessions is one page (?offset=&limit=, limit capped at 1000) with the total', async () => {
    await using server = startArena(['--protocol', 'msgpack']);
    const { admin, tcp } = await server.listening;
    await using clients = new TestClients();
    await Promise.all(Array.from({ length: 12 }, (_, i) => clients.login(tcp, `p${i}`)));
    const page = async (query: string) => JSON.parse((await get(admin, `/sessions${query}`)).body) as { total: number; offset: number; limit: number; sessions: { user: string }[] };
    const all = await page('');
    expect(all).toMatchObject({ total: 12, offset: 0, limit: 100 });
    expect(all.sessions.map((s) => s.user).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `p${i}`).sort());
    const first = await page('?limit=5');
    const rest = await page('?offset=5&limit=1000000');
    expect(first.sessions).toHaveLength(5);
    expect(rest).toMatchObject({ total: 12, offset: 5, limit: 1000 });
    expect([...first.sessions, ...rest.sessions].map((s) => s.user).sort()).toEqual(all.sessions.map((s) => s.user).sort());
    expect((await page('?offset=12')).sessions).toEqual([]);
    const bad = await get(admin, '/sessions?limit=-1');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/^limit: expected an integer 0\.\.1000/);
  });
});
