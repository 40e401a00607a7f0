import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startArena } from '../../server/test/fixtures/arenaProcess.ts';
import { selfSignedCertificate } from '../../../packages/client-e2e/test/support/tlsTerminator.ts';
import { HANG_GUARD_MS, UNTIL_LIMIT_S, runBots } from './support/runBots.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-e2e-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TLS end to end: hearth-server --tls-cert/--tls-key, bots over tls:// and wss://', () => {
  it('bots trusting the self-signed certificate play; bots that do not are refused with advice', { timeout: 2 * HANG_GUARD_MS + 60_000 }, async () => {
    const { cert, key } = selfSignedCertificate();
    writeFileSync(join(dir, 'cert.pem'), cert);
    writeFileSync(join(dir, 'key.pem'), key, { mode: 0o600 });
    const keyFile = join(dir, 'server.key');
    await using server = startArena(['--key-file', keyFile, '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')]);
    const l = await server.listening;
    expect(l.tcp).toMatch(/^tls:\/\/127\.0\.0\.1:\d+$/);
    expect(l.ws).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);

    const ok = await runBots(['--url', l.tcp, '--url', l.ws, '--bots', '6', '--until', 'moves=4', '--duration', UNTIL_LIMIT_S, '--server-key-file', `${keyFile}.pub`, '--tls-ca', join(dir, 'cert.pem')]);
    expect(ok.summary.failures, ok.stdout).toEqual([]);
    expect(ok.code).toBe(0);
    expect(ok.summary.until?.met).toBe(true);
    expect(ok.summary.bots).toMatchObject({ total: 6, loggedIn: 6, joined: 6, failed: 0 });
    expect(ok.summary.rtt.count).toBeGreaterThan(0);

    // --duration 0 (no end by time): every bot failed, so the run ends by itself, at once.
    const untrusted = await runBots(['--url', l.tcp, '--bots', '2', '--duration', '0', '--server-key-file', `${keyFile}.pub`]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.summary.bots.failed).toBe(2);
    expect(untrusted.summary.failures[0]).toMatchObject({ code: 'HANDSHAKE_FAILED' });
    expect(untrusted.summary.failures[0]!.text).toMatch(/self-signed/);
  });

  it('refuses --tls-cert without --tls-key', { timeout: 30_000 }, async () => {
    await using server = startArena(['--tls-cert', join(dir, 'cert.pem')]);
    expect((await server.exited).code).toBe(2);
    expect(server.stderr()).toMatch(/--tls-cert needs --tls-key/);
  });
});
