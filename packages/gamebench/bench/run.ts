/**
 * The game-level benchmark (issue 16): rooms of 16, each client moving 10×/s, room state 20×/s,
 * on Arena (apps/server: TCP and WebSocket, plain and secure), on Colyseus 0.16 (WebSocket, its
 * defaults) and on a bare node:net floor (raw-tcp; the table's "÷ floor" columns). For each N: server CPU per client-second, updates per client-second, move→update
 * p50/p99, bytes per client-second, server RSS, driver CPU; the largest N meeting the SLO and
 * clients per core. Writes bench/results/game.json and prints the table.
 *
 *   node --import tsx --conditions=@hearth/source bench/run.ts [--quick] [--rounds 3]
 *     [--n 200,600,1200,2000] [--stacks hearth-tcp-plain,colyseus-ws] [--sync snapshot|state]
 *     [--drivers K] [--warmup-ms 3000] [--window-ms 12000] [--out PATH] [--no-write]
 *     [--profile DIR]   (server under `node --cpu-prof`; each point's profile is summarised over its window)
 *
 * Each point starts a fresh server (own process) and K load-driver processes (default one per
 * 600 clients, at least 2). Rounds are interleaved (round → N → stack). A stack stops climbing
 * in a round once a point fails hard (> 5 % of clients not playing, or < 5 updates/s): saturation.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measurePoint, type Point } from './measure.ts';
import { loadAverage } from './proc.ts';
import { busySamples, summarise, type Profile } from './profileSummary.ts';
import { SLO, medians, meetsSlo, table, verdicts } from './report.ts';
import { FLOOR_STACK, STACKS } from './stacks.ts';

const { values: a } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    n: { type: 'string' },
    stacks: { type: 'string' },
    sync: { type: 'string', default: 'state' },
    drivers: { type: 'string' },
    'warmup-ms': { type: 'string' },
    'window-ms': { type: 'string' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});

const quick = a.quick;
const rounds = Number(a.rounds ?? (quick ? 1 : 3));
const ns = (a.n ?? (quick ? '200,600' : '200,600,1200,2000')).split(',').map(Number);
const stacks = a.stacks === undefined ? STACKS : STACKS.filter((s) => a.stacks!.split(',').includes(s.id));
if (a.sync !== 'state') {
  // Arena's rooms only synchronise state now (`arena.snapshot` is gone): older results name `sync snapshot`.
  console.error(`--sync ${a.sync}: Arena sends only state patches now; give --sync state or leave it out`);
  process.exit(2);
}
const sync = 'state' as const;
const warmupMs = Number(a['warmup-ms'] ?? (quick ? 2000 : 3000));
const windowMs = Number(a['window-ms'] ?? (quick ? 6000 : 12_000));
const driversFor = (n: number): number => Number(a.drivers ?? Math.max(2, Math.ceil(n / 600)));
const profileDir = a.profile === undefined ? undefined : resolve(a.profile);
if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
const out = a.out ?? join(dirname(fileURLToPath(import.meta.url)), '../../../bench/results/game.json');

// Saturated for good: more than 5 % of the clients could not join and stay, or updates collapsed. (An SLO miss alone
// does not stop the climb: on a loaded machine the figures beyond it still say what a client costs.)
const hardFail = (p: Point): boolean => p.playing < 0.95 * p.n || p.updatesPerClientSec < 5;

const points: Point[] = [];
const startedAt = new Date().toISOString();
const load0 = loadAverage();
console.log(`game bench: ${stacks.map((s) => s.id).join(', ')} · N ${ns.join(', ')} · ${rounds} round(s) · sync ${sync} · window ${windowMs} ms after ${warmupMs} ms warm-up · load ${load0}`);
for (let r = 0; r < rounds; r++) {
  const saturated = new Set<string>();
  for (const n of ns) {
    for (const stack of stacks) {
      if (saturated.has(stack.id)) continue;
      let p: Point;
      try {
        const serverFlags = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
        const before = profileDir === undefined ? new Set<string>() : new Set(readdirSync(profileDir));
        p = await measurePoint(stack, { n, drivers: driversFor(n), warmupMs, windowMs, sync, serverFlags });
        if (profileDir !== undefined) {
          // One profile per thread (tsx's loader runs on a worker): summarise the busiest, the main thread.
          let best: { f: string; profile: Profile; busy: number } | undefined;
          for (const f of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f))) {
            const profile = JSON.parse(readFileSync(join(profileDir, f), 'utf8')) as Profile;
            const busy = busySamples(profile);
            if (best === undefined || busy > best.busy) best = { f, profile, busy };
          }
          if (best !== undefined) {
            const summary = summarise(best.profile, 30, p.windowMonoUs);
            writeFileSync(join(profileDir, `${stack.id}-${n}.txt`), `${summary}\n`);
            console.log(`profile ${stack.id} N=${n} (${best.f}, measured window only):\n${summary}`);
          }
        }
      } catch (err) {
        console.log(`  round ${r + 1} ${stack.id} N=${n}: failed (${(err as Error).message}); stops climbing`);
        saturated.add(stack.id);
        continue;
      }
      points.push(p);
      const errs = Object.entries(p.errors).map(([k, v]) => `${k} ${v}`).join(', ');
      console.log(
        `  round ${r + 1} ${stack.id.padEnd(17)} N=${String(n).padStart(4)}: ${p.serverUsPerClientSec.toFixed(0)} µs/cl·s (${p.serverCores.toFixed(2)} cores), ` +
          `${p.updatesPerClientSec.toFixed(1)} upd/s (${p.movesPerClientSec.toFixed(1)} moves/s), ${p.serverWritesPerClientSec.toFixed(1)} writes ${p.serverReadsPerClientSec.toFixed(1)} reads/cl·s, sys ${(100 * p.serverSysShare).toFixed(0)} %, p50 ${p.p50Ms.toFixed(1)} p99 ${p.p99Ms.toFixed(1)} ms, ${p.wireBytesPerClientSec.toFixed(0)} B/cl·s, ` +
          `drivers ${p.driverCores.toFixed(2)} cores, load ${p.loadAvg}${p.joinFailed ? `, ${p.joinFailed} joins failed` : ''}${errs ? ` [${errs}]` : ''} ${meetsSlo(p) ? 'ok' : 'SLO FAIL'}`,
      );
      if (hardFail(p)) saturated.add(stack.id);
    }
  }
}

const ms = medians(points, FLOOR_STACK);
const v = verdicts(ms);
console.log(`\n${table(ms)}\n`);
for (const [id, x] of Object.entries(v)) {
  const perCore = x.clientsPerCore === null ? 'n/a (the server kept 19 updates/s at no N)' : `${Math.round(x.clientsPerCore)} (CPU at N=${x.atN})`;
  console.log(`${id.padEnd(17)} largest N meeting the SLO: ${x.maxSustainedN ?? 'none'} · clients per core: ${perCore}`);
}

if (!a['no-write']) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        bench: 'game',
        startedAt,
        finishedAt: new Date().toISOString(),
        machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAvgAtStart: load0, loadAvgAtEnd: loadAverage() },
        settings: {
          roomSize: 16,
          movesPerSecPerClient: 10,
          stateHz: 20,
          arenaSync: sync,
          rounds,
          ns,
          warmupMs,
          windowMs,
          drivers: 'max(2, ceil(N/600)) processes unless --drivers',
          slo: SLO,
          hearth: 'apps/server (TypeScript sources through tsx), --auth dev, per-address limits 0, msgpack (plain) or msgpack+nacl (secure), tick 20 Hz',
          raw: 'raw-tcp, the physical floor (bench/rawServer.ts): bare node:net (noDelay), no handshake or auth, 4-byte big-endian length + msgpack (@msgpack/msgpack) frames; seats in arrival order in rooms of 16, id = seat; move [x, y] checked as integers on the 1000×1000 plane; per room a 20 Hz setInterval encodes the players changed since the last tick once ([[id, x, y], …]) and writes that buffer to each member (one socket.write each), nothing when none changed',
          floorRatios: 'cpuOverFloor, bytesOverFloor in medians: the stack ÷ raw-tcp at the same N (server µs per client-second, wire bytes per client-second); floorComparable when both kept ≥ 19 updates/s (equal work), else printed in parentheses',
          colyseus: '@colyseus/core 0.16.26 + @colyseus/ws-transport 0.16.5 defaults (patchRate 50 ms), @colyseus/schema 3.0.76 MapSchema<{x,y: uint16}>, client colyseus.js 0.16.22',
          bytes: 'wire = bytes the server process wrote (/proc/PID/io wchar: framing included, all to clients) per client-second; body = Hearth client-counted message bodies',
          cpu: 'server utime+stime from /proc/PID/stat over the window (10 ms resolution), per playing client-second',
        },
        medians: ms,
        verdicts: v,
        points,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${out}`);
}
