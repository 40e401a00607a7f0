#!/usr/bin/env node
// What a second core buys: the same bot load against one in-memory server process, then against
// `--workers 2` (two cluster nodes over a private Redis, sharing the game ports), on loopback.
// Run after `pnpm build`:  node scripts/benchWorkers.mjs [bots=3000] [durationS=40] [rampS=15]
// Writes bench/results/workers.json. One run per mode (bounded: the machine is shared).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [bots = '3000', duration = '40', ramp = '15'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-workers-'));
const TICKS = 100; // /proc stat clock ticks per second (Linux default)

function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS; // utime + stime
  } catch {
    return 0;
  }
}

async function freePort() {
  const srv = createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => createInterface({ input: child.stdout }).on('line', (l) => l.includes('Ready to accept') && resolve()));
  return { url: `redis://127.0.0.1:${port}`, child };
}

/** Starts the server; resolves the game address, admin URLs and the pids to measure. */
function startServer(args, workers) {
  const child = spawn(process.execPath, [`${root}apps/server/dist/main.js`, '--log-format', 'json', '--auth', 'dev', '--tcp-port', '0', '--ws-port', '0', '--admin-port', '0', '--key-file', join(dir, 'server.key'),
    // Thousands of bots from one address: the per-address limits (docs/security.md) would refuse them.
    '--max-connections-per-address', '0', '--handshakes-per-second-per-address', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pids = new Set([child.pid]);
  const ready = new Promise((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      let rec;
      try {
        rec = JSON.parse(line);
      } catch {
        return;
      }
      if (rec.event === 'listening') pids.add(rec.pid);
      if (workers === 1 && rec.event === 'listening') resolve({ tcp: rec.tcp, admin: [rec.admin] });
      if (rec.event === 'workers-listening') resolve({ tcp: rec.tcp, admin: rec.admin });
    });
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, pids, ready, exited };
}

async function lagP99(admin) {
  const text = await (await fetch(`${admin}/metrics`)).text();
  return Number(/^nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text)?.[1] ?? NaN);
}

function runBots(tcp, json) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [`${root}apps/bot-client/dist/main.js`, '--url', tcp, '--bots', bots, '--duration', duration, '--ramp', ramp, '--scenario', 'play', '--server-key-file', join(dir, 'server.key.pub'), '--json', json, '--progress', 'off'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.on('exit', (code) => resolve(code));
  });
}

async function measure(name, args, workers) {
  const server = startServer(args, workers);
  const { tcp, admin } = await server.ready;
  const cpu0 = [...server.pids].reduce((s, p) => s + cpuSeconds(p), 0);
  const t0 = performance.now();
  const json = join(dir, `${name}.json`);
  process.stderr.write(`bench: ${name}: ${bots} bots against ${tcp} for ${duration} s\n`);
  const code = await runBots(tcp, json);
  const wall = (performance.now() - t0) / 1000;
  const cpu = [...server.pids].reduce((s, p) => s + cpuSeconds(p), 0) - cpu0;
  const lag = await Promise.all(admin.map(lagP99));
  server.child.kill('SIGTERM');
  await server.exited;
  const s = JSON.parse(readFileSync(json, 'utf8'));
  return {
    mode: name,
    botsExit: code,
    loggedIn: s.bots.loggedIn,
    failed: s.bots.failed,
    unexpected: s.unexpectedCount,
    errors: s.errors,
    rooms: s.rooms,
    msgsInPerSec: Math.round(s.messages.inPerSec),
    msgsOutPerSec: Math.round(s.messages.outPerSec),
    peakMsgsInPerSec: Math.round(s.messages.peakInPerSec),
    rttP50Ms: s.rtt.p50,
    rttP99Ms: s.rtt.p99,
    botProcessCores: s.cpuCores,
    serverCores: Number((cpu / wall).toFixed(2)),
    serverLagP99Ms: lag.map((l) => Math.round(l * 1000)),
  };
}

const redis = await startRedis();
const results = [];
try {
  results.push(await measure('one process (in memory)', [], 1));
  results.push(await measure('--workers 2 (Redis)', ['--redis', redis.url, '--workers', '2'], 2));
} finally {
  redis.child.kill('SIGTERM');
}
const out = { date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model }, bots: Number(bots), durationS: Number(duration), rampS: Number(ramp), protocol: 'msgpack+nacl', transport: 'tcp loopback', results };
mkdirSync(`${root}bench/results`, { recursive: true });
writeFileSync(`${root}bench/results/workers.json`, `${JSON.stringify(out, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
