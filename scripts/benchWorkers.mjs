#!/usr/bin/env node
// What a second core buys: the same bot load against one in-memory server process, then against
// `--workers 2` (two cluster nodes over a private Redis, sharing the game ports), on loopback.
// node scripts/benchWorkers.mjs [bots=3000] [durationS=40] [rampS=15] [rounds=1]
// Runs the built apps (after `pnpm build`), else their sources through tsx. Writes
// bench/results/workers.json. `rounds` interleaves the modes that many times; `medians` gives the
// median server CPU per bot-second (and per message) of each mode, `ratios` each mode's ÷ one
// process's in the same round, with the load average at each mode's start (`loadavg1`) and the
// server's write/read system calls per bot-second (/proc/PID/io).
// With `taskset` and 2+ CPUs the load driver (the bot process) is pinned to the last CPU and the
// server to the others, so the server's share is measured on cores of its own where the machine has
// them; on a 2-core machine that is one core: 1 worker, 2 workers on that same core (the cluster's
// cost at equal cores), and 2 workers spread over both cores (the second shared with the bots).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [bots = '3000', duration = '40', ramp = '15', rounds = '1'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-workers-'));
const TICKS = 100; // /proc stat clock ticks per second (Linux default)
const built = existsSync(`${root}apps/server/dist/main.js`) && existsSync(`${root}apps/bot-client/dist/main.js`);
const entry = (app) => (built ? [`${root}apps/${app}/dist/main.js`] : ['--import', 'tsx', '--conditions=@hearth/source', `${root}apps/${app}/src/main.ts`]);
const ncpu = cpus().length;
const pinnable = ncpu >= 2 && existsSync('/usr/bin/taskset');
const driverCpu = String(ncpu - 1);
const serverCpus = ncpu > 2 ? `0-${ncpu - 2}` : '0';
/** `node args` pinned to `cpuList` with taskset (it execs: the pid is node's), or plain. */
function spawnPinned(cpuList, args, options) {
  return pinnable && cpuList !== undefined ? spawn('taskset', ['-c', cpuList, process.execPath, ...args], options) : spawn(process.execPath, args, options);
}

/** Write and read system calls of a process so far (/proc/PID/io syscw, syscr): 0 once it is gone. */
function syscalls(pid) {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    return { w: Number(/^syscw: (\d+)$/m.exec(io)?.[1] ?? 0), r: Number(/^syscr: (\d+)$/m.exec(io)?.[1] ?? 0) };
  } catch {
    return { w: 0, r: 0 };
  }
}

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
  const child = spawn(pinnable ? 'taskset' : 'redis-server', [...(pinnable ? ['-c', serverCpus, 'redis-server'] : []), '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => createInterface({ input: child.stdout }).on('line', (l) => l.includes('Ready to accept') && resolve()));
  return { url: `redis://127.0.0.1:${port}`, child };
}

/** Starts the server; resolves the game address, admin URLs and the pids to measure. */
function startServer(args, workers, cpuList) {
  const child = spawnPinned(cpuList, [...entry('server'), '--log-format', 'json', '--auth', 'dev', '--tcp-port', '0', '--ws-port', '0', '--admin-port', '0', '--key-file', join(dir, 'server.key'),
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
    const child = spawnPinned(
      driverCpu,
      [...entry('bot-client'), '--url', tcp, '--bots', bots, '--duration', duration, '--ramp', ramp, '--scenario', 'play', '--server-key-file', join(dir, 'server.key.pub'), '--json', json, '--progress', 'off'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.on('exit', (code) => resolve(code));
  });
}

async function measure(name, args, workers, cpuList, redisPid) {
  const server = startServer(args, workers, cpuList);
  const { tcp, admin } = await server.ready;
  // Server (and Redis) CPU sampled every second; the steady window is the run's second half
  // (after the bot process started and ramped), less its last 2 s (bots leaving).
  const samples = [];
  const sample = () => {
    const io = [...server.pids].map(syscalls);
    samples.push({ t: performance.now() / 1000, cpu: [...server.pids].reduce((s, p) => s + cpuSeconds(p), 0), redis: redisPid === undefined ? 0 : cpuSeconds(redisPid), w: io.reduce((s, x) => s + x.w, 0), r: io.reduce((s, x) => s + x.r, 0) });
  };
  const load = loadavg()[0];
  sample();
  const sampler = setInterval(sample, 1000);
  const json = join(dir, `${name}.json`);
  process.stderr.write(`bench: ${name}: ${bots} bots against ${tcp} for ${duration} s\n`);
  const code = await runBots(tcp, json);
  clearInterval(sampler);
  sample();
  const end = samples.at(-1).t;
  const mid = samples[0].t + (end - samples[0].t) / 2;
  const a = samples.find((x) => x.t >= mid) ?? samples[0];
  const b = [...samples].reverse().find((x) => x.t <= end - 2 && x.t > a.t) ?? samples.at(-1);
  const wall = b.t - a.t;
  const cpu = b.cpu - a.cpu;
  const redisCpu = b.redis - a.redis;
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
    serverCpus: pinnable ? cpuList : 'any',
    driverCpu: pinnable ? driverCpu : 'any',
    serverCores: Number((cpu / wall).toFixed(2)),
    redisCores: Number((redisCpu / wall).toFixed(2)),
    windowS: Number(wall.toFixed(1)),
    loadavg1: Number(load.toFixed(1)),
    // The same CPU per message the bots sent or received (their whole-run rates): per bot-second
    // flatters a mode whose bots, starved on a loaded machine, moved and heard less.
    serverUsPerMessage: Number((((cpu + redisCpu) / wall) * 1e6 / (s.messages.inPerSec + s.messages.outPerSec)).toFixed(2)),
    // System calls of the server's processes per logged-in bot and second (writes include Redis commands).
    writesPerBotSecond: Number(((b.w - a.w) / (s.bots.loggedIn * wall)).toFixed(1)),
    readsPerBotSecond: Number(((b.r - a.r) / (s.bots.loggedIn * wall)).toFixed(1)),
    // Server (+ Redis) CPU per logged-in bot and second over the steady window.
    serverUsPerBotSecond: Math.round(((cpu + redisCpu) * 1e6) / (s.bots.loggedIn * wall)),
    serverLagP99Ms: lag.map((l) => Math.round(l * 1000)),
  };
}

const redis = await startRedis();
const results = [];
const cluster = ['--redis', redis.url, '--workers', '2'];
const modes = [
  ['one process (in memory)', [], 1, serverCpus],
  ['--workers 2 (Redis), same cores', cluster, 2, serverCpus],
  ...(pinnable && ncpu === 2 ? [['--workers 2 (Redis), both cores (one shared with the bots)', cluster, 2, '0-1']] : []),
];
try {
  for (let round = 0; round < Number(rounds); round++) {
    for (const [name, args, workers, cpuList] of modes) results.push({ round: round + 1, ...(await measure(name, args, workers, cpuList, workers > 1 ? redis.child.pid : undefined)) });
  }
} finally {
  redis.child.kill('SIGTERM');
}
const out = { date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg().map((l) => Number(l.toFixed(1))) }, pinned: pinnable, sources: built ? 'dist' : 'tsx', bots: Number(bots), rounds: Number(rounds), durationS: Number(duration), rampS: Number(ramp), protocol: 'msgpack+nacl', transport: 'tcp loopback', results };
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 === 1 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
out.medians = modes.map(([name]) => {
  const runs = results.filter((r) => r.mode === name);
  return {
    mode: name,
    serverUsPerBotSecond: median(runs.map((r) => r.serverUsPerBotSecond)),
    serverCores: median(runs.map((r) => r.serverCores)),
    serverUsPerMessage: median(runs.map((r) => r.serverUsPerMessage)),
    writesPerBotSecond: median(runs.map((r) => r.writesPerBotSecond)),
    rttP99Ms: median(runs.map((r) => r.rttP99Ms)),
    runs: runs.length,
  };
});
// Each mode's CPU per bot-second ÷ one process's in the same round (the machine's load changes between rounds).
out.ratios = modes.slice(1).map(([name]) => {
  const perRound = results.filter((r) => r.mode === name).map((r) => {
    const one = results.find((x) => x.round === r.round && x.mode === modes[0][0]);
    return [Number((r.serverUsPerBotSecond / one.serverUsPerBotSecond).toFixed(2)), Number((r.serverUsPerMessage / one.serverUsPerMessage).toFixed(2))];
  });
  const perBot = perRound.map((x) => x[0]);
  const perMessage = perRound.map((x) => x[1]);
  return { mode: name, perBotSecond: { vsOneProcess: perBot, median: median(perBot) }, perMessage: { vsOneProcess: perMessage, median: median(perMessage) } };
});
out.machine.loadavgEnd = loadavg().map((l) => Number(l.toFixed(1)));
mkdirSync(`${root}bench/results`, { recursive: true });
writeFileSync(`${root}bench/results/workers.json`, `${JSON.stringify(out, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
