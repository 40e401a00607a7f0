import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import type { SwarmSummary } from '../src/report/summarize.ts';

const SERVER_MAIN = join(import.meta.dirname, '../../server/src/main.ts');
const BOTS_MAIN = join(import.meta.dirname, '../src/main.ts');
const FROM_SOURCE = ['--import', 'tsx', '--conditions=@hearth/source'];

interface Listening {
  tcp: string;
  ws: string;
  admin: string;
  publicKey: string;
}

/** Starts the server process on ephemeral ports and resolves its `listening` line. */
function startServer(dir: string): { child: ChildProcess; listening: Promise<Listening>; exited: Promise<number | null>; log: string[] } {
  const child = spawn(
    process.execPath,
    [...FROM_SOURCE, SERVER_MAIN, '--tcp-port', '0', '--ws-port', '0', '--admin-port', '0', '--key-file', join(dir, 'server.key'), '--log-format', 'json', '--auth', 'dev'],
    // In memory: REDIS_URL from the test runner's environment would make it a cluster node.
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, REDIS_URL: '', HEARTH_REDIS_URL: '' } },
  );
  const log: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<Listening>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      log.push(line);
      try {
        const rec = JSON.parse(line) as Record<string, unknown>;
        if (rec['event'] === 'listening') resolve(rec as unknown as Listening);
      } catch {
        // not a JSON line
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${log.join('\n')}`)));
  });
  return { child, listening, exited, log };
}

function runBots(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...FROM_SOURCE, BOTS_MAIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout }));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'hearth-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Arena end to end: server process + bot-client process', () => {
  it('50 bots over TCP and WS with the secure protocol play for ~10 s', { timeout: 60_000 }, async () => {
    const server = startServer(dir);
    try {
      const addr = await server.listening;
      expect(addr.tcp).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      expect(addr.ws).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      const pub = readFileSync(join(dir, 'server.key.pub'), 'utf8').trim();
      expect(pub).toBe(addr.publicKey);

      const jsonFile = join(dir, 'summary.json');
      const bots = await runBots([
        '--url', addr.tcp, '--url', addr.ws,
        '--bots', '50', '--duration', '10', '--ramp', '1',
        '--scenario', 'play', '--server-key-file', join(dir, 'server.key.pub'),
        '--json', jsonFile, '--progress', 'off',
      ]);
      const summary = JSON.parse(readFileSync(jsonFile, 'utf8')) as SwarmSummary;
      expect(summary.failures).toEqual([]);
      expect(bots.code).toBe(0);
      expect(summary.ok).toBe(true);
      expect(summary.protocol).toBe('msgpack+nacl');
      expect(summary.serverKeyPinned).toBe(true);
      expect(summary.urls).toEqual([addr.tcp, addr.ws]);
      // every bot logged in and joined a room; rooms hold at most 16
      expect(summary.bots).toMatchObject({ total: 50, connected: 50, loggedIn: 50, joined: 50, dropped: 0, failed: 0 });
      expect(summary.rooms).toBe(4);
      // zero unexpected errors
      expect(summary.unexpectedCount).toBe(0);
      expect(summary.bots.withUnexpectedErrors).toBe(0);
      // each bot saw others in its room move; chat reached room members; the leaderboard answered
      expect(summary.bots.sawOthersMove).toBe(50);
      expect(summary.bots.receivedChat).toBe(50);
      expect(summary.game.chatsReceived).toBeGreaterThan(summary.game.chatsSent);
      expect(summary.bots.gotLeaderboard).toBe(50);
      expect(summary.game.tagsScored).toBeGreaterThan(0);
      expect(summary.rtt.count).toBeGreaterThan(0);
      expect(bots.stdout).toContain('result');

      // The admin endpoint saw them too.
      const metrics = await (await fetch(`${addr.admin}/metrics`)).text();
      const accepted = Number(/^hearth_sessions_accepted_total (\d+)$/m.exec(metrics)?.[1]);
      expect(accepted).toBeGreaterThanOrEqual(50);
      expect(metrics).toMatch(/hearth_request_duration_seconds_count\{type="arena.leaderboard"\} [1-9]/);
    } finally {
      server.child.kill('SIGTERM');
    }
    // Graceful shutdown exits 0.
    expect(await server.exited).toBe(0);
  });
});
