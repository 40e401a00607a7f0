// Attacks on login: a server that lets anyone log in as anyone must be an explicit, visible choice.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Login } from '@hearth/protocol';
import { createPrivateDatabase } from '@hearth/storage/testing';
import { describe, expect, it } from 'vitest';
import { startArena } from '../fixtures/arenaProcess.ts';
import { TestClients } from '../fixtures/testClients.ts';

/** Runs hearth-server with `args` (clean environment) until it exits. */
function runServer(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const key = join(mkdtempSync(join(tmpdir(), 'hearth-auth-')), 'server.key');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@hearth/source', 'src/main.ts', '--key-file', key, ...args], {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr, stdout }));
  });
}

describe('hostile: impersonation through the dev authenticator', { timeout: 60_000 }, () => {
  it('the bare command (no --auth), even on 0.0.0.0, runs accounts: a { name } login is refused, nothing INSECURE', async () => {
    await using db = await createPrivateDatabase();
    // An empty HEARTH_AUTH counts as unset: the fixture adds no --auth dev, the server chooses.
    await using server = startArena(['--host', '0.0.0.0', '--database', db.url, '--admin-port=-1', '--protocol', 'msgpack'], { HEARTH_AUTH: '' });
    const { tcp } = await server.listening;
    expect(await server.record((r) => r['event'] === 'listening')).toMatchObject({ auth: 'accounts' });
    expect(server.log.join('\n')).not.toContain('insecure-dev-auth');
    await using clients = new TestClients();
    const attacker = await clients.connect(tcp.replace('0.0.0.0', '127.0.0.1'));
    await expect(attacker.client.request(Login, { name: 'admin' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('--auth dev on 0.0.0.0 refuses to start (exit 2) without --insecure-dev-auth', async () => {
    const { code, stderr, stdout } = await runServer(['--tcp-port', '0', '--ws-port', '0', '--admin-port=-1', '--log-format', 'json'], {
      HEARTH_AUTH: 'dev',
      HEARTH_HOST: '0.0.0.0',
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^hearth-server: --auth dev on --host 0\.0\.0\.0: anyone who reaches the port could log in as any player; .*--insecure-dev-auth if you mean it\n$/);
    expect(stdout).not.toContain('"listening"');
  });

  it('--auth dev --insecure-dev-auth on 0.0.0.0 starts, and says INSECURE before it listens', async () => {
    await using server = startArena(['--host', '0.0.0.0', '--insecure-dev-auth', '--admin-port=-1', '--protocol', 'msgpack']);
    await server.listening;
    const records = server.log.map((l) => JSON.parse(l) as Record<string, unknown>);
    const warning = records.findIndex((r) => r['event'] === 'insecure-dev-auth');
    expect(warning).toBeGreaterThanOrEqual(0);
    expect(records[warning]).toMatchObject({ level: 40, host: '0.0.0.0' });
    expect(warning).toBeLessThan(records.findIndex((r) => r['event'] === 'listening'));
  });

  it('--auth dev on loopback starts without the warning', async () => {
    await using server = startArena(['--admin-port=-1', '--protocol', 'msgpack']);
    await server.listening;
    expect(server.log.join('\n')).not.toContain('insecure-dev-auth');
  });
});
