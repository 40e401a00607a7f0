import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// The server's test fixtures: a server process on ports 0 (reads its `listening` line), a private Redis.
import { startArena } from '../../server/test/fixtures/arenaProcess.ts';
import { startRedis } from '@hearth/actor/testing';
import type { SwarmSummary } from '../src/report/summarize.ts';

const BOTS_MAIN = join(import.meta.dirname, '../src/main.ts');
const FROM_SOURCE = ['--import', 'tsx', '--conditions=@hearth/source'];

function runBots(args: string[]): Promise<{ code: number | null; stdout: string; summary: SwarmSummary }> {
  const jsonFile = join(dir, `summary-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...FROM_SOURCE, BOTS_MAIN, ...args, '--json', jsonFile, '--progress', 'off'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, summary: JSON.parse(readFileSync(jsonFile, 'utf8')) as SwarmSummary }));
  });
}

/** `hearth_sessions_active` of a node's admin endpoint. */
async function activeSessions(admin: string): Promise<number> {
  const metrics = await (await fetch(`${admin}/metrics`)).text();
  return Number(/^hearth_sessions_active (\d+)$/m.exec(metrics)?.[1] ?? 0);
}

const dir = mkdtempSync(join(tmpdir(), 'hearth-e2e-resilience-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bots on @hearth/client: failures end the run at once, with a fix in the message', () => {
  it('a protocol mismatch fails every bot at once and says which --protocol to pass', { timeout: 60_000 }, async () => {
    await using server = startArena(['--protocol', 'msgpack']);
    const l = await server.listening;
    const started = performance.now();
    const bots = await runBots(['--url', l.tcp, '--url', l.ws, '--bots', '4', '--duration', '30']);
    expect(bots.code).toBe(1);
    expect(bots.summary.ok).toBe(false);
    expect(bots.summary.bots.failed).toBe(4);
    // Every bot failed: the run ends at once instead of waiting out --duration 30.
    expect(bots.summary.elapsedS).toBeLessThan(15);
    expect(performance.now() - started).toBeLessThan(25_000);
    expect(bots.summary.failures[0]).toMatchObject({ code: 'HANDSHAKE_FAILED' });
    expect(bots.summary.failures[0]!.text).toMatch(/run the bots with --protocol msgpack$/);
    expect(bots.stdout).toContain('--protocol msgpack');
  });

  it('the other way round names msgpack+nacl', { timeout: 60_000 }, async () => {
    await using server = startArena([]);
    const l = await server.listening;
    const bots = await runBots(['--url', l.tcp, '--bots', '2', '--duration', '30', '--protocol', 'msgpack']);
    expect(bots.code).toBe(1);
    expect(bots.summary.elapsedS).toBeLessThan(15);
    expect(bots.summary.failures[0]!.text).toMatch(/--protocol msgpack\+nacl/);
  });

  it('a node killed in a cluster: its bots resume or log in again on the other node, and the run ends OK', { timeout: 90_000 }, async () => {
    await using redis = await startRedis();
    const keyFile = join(dir, 'server.key');
    // A short heartbeat: the dead node's lease lapses ~1 s after the kill (not 15 s, the default), so its
    // rooms are restored and its bots seated again well inside the run, however loaded the machine.
    const common = ['--redis', redis.url, '--redis-prefix', redis.prefix, '--key-file', keyFile, '--cluster-heartbeat-ms', '300'];
    await using a = startArena(common);
    const la = await a.listening;
    await using b = startArena(common);
    const lb = await b.listening;
    const run = runBots([
      '--url', la.tcp, '--url', lb.ws,
      '--bots', '20', '--duration', '22', '--ramp', '1',
      '--scenario', 'play', '--server-key-file', `${keyFile}.pub`,
    ]);
    // Once node A holds its half of the bots, kill it without warning.
    while ((await activeSessions(la.admin)) < 10) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2_000));
    a.child.kill('SIGKILL');
    const bots = await run;
    expect(bots.summary.failures).toEqual([]);
    expect(bots.code).toBe(0);
    expect(bots.summary.ok).toBe(true);
    expect(bots.summary.bots).toMatchObject({ total: 20, loggedIn: 20, dropped: 0, failed: 0 });
    // A's ten bots came back on B: resumed (parked in Redis) or logged in again (A died unparked).
    expect(bots.summary.bots.resumed + bots.summary.bots.relogins).toBeGreaterThanOrEqual(10);
    expect(await activeSessions(lb.admin)).toBe(0); // the run is over: every bot closed
    await b.stop();
  });
});
