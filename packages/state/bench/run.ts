/**
 * `pnpm bench` in @hearth/state: Hearth's encoder beside @colyseus/schema (and mutative patches +
 * msgpack) on @colyseus/schema's published scenarios, then a 300-client, 500-entity room with views by
 * grid cell. Throughput cases run round-robin (run 1 of every case, then run 2, ...), median of the runs.
 * Writes bench/results/state.json at the repo root and prints a table.
 *
 * Env: BENCH_RUNS (7; at least 3), BENCH_DURATION_MS (200 per run and case), BENCH_TICKS (200 room ticks per run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { colyseus, hearth, moved, mutativeMsgpack, resetValues, type Side } from './scenarios.ts';
import { viewsRoom, type TickTimes } from './viewsRoom.ts';
import { accessorObjects, proxyObjects, N } from './tracking.ts';
import { arenaBytes } from './arenaBytes.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 200);
const TICKS = Number(process.env['BENCH_TICKS'] ?? 200);
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const SCENARIOS = [
  { name: 'x/y of 1', which: moved(1) },
  { name: 'x/y of 50', which: moved(50) },
  { name: 'x/y of 100', which: moved(100) },
] as const;
const IMPLS: Record<string, () => Side> = { colyseus, hearth, 'mutative+msgpack': mutativeMsgpack };

// ---- bytes: the mean over 64 patches of the same coordinates ------------------------------------------
interface BytesRow {
  scenario: string;
  impl: string;
  bytes: number;
  ratio: number;
}
const bytesRows: BytesRow[] = [];
for (const impl of Object.keys(IMPLS)) {
  resetValues();
  const side = IMPLS[impl]!();
  bytesRows.push({ scenario: 'initial state of 100', impl, bytes: side.fullBytes(), ratio: 0 });
  for (const s of SCENARIOS) {
    let total = 0;
    for (let i = 0; i < 64; i++) total += side.patch(s.which).length;
    bytesRows.push({ scenario: s.name, impl, bytes: Math.round((total / 64) * 100) / 100, ratio: 0 });
  }
}
for (const r of bytesRows) {
  const base = bytesRows.find((b) => b.scenario === r.scenario && b.impl === 'colyseus')!;
  r.ratio = Math.round((r.bytes / base.bytes) * 1000) / 1000;
}

// ---- throughput: encode (mutate + encode) and decode ops/s, round-robin ------------------------------
interface Case {
  name: string;
  scenario: string;
  impl: string;
  kind: 'encode' | 'decode';
  unit: string;
  perOp: number;
  op: () => void;
  runs: number[];
}
const cases: Case[] = [];
for (const impl of Object.keys(IMPLS)) {
  const side = IMPLS[impl]!();
  for (const s of SCENARIOS) {
    cases.push({ name: `${impl} encode ${s.name}`, scenario: s.name, impl, kind: 'encode', unit: 'patches/s', perOp: 1, op: () => void side.patch(s.which), runs: [] });
  }
  cases.push({ name: `${impl} encode initial state of 100`, scenario: 'initial state of 100', impl, kind: 'encode', unit: 'states/s', perOp: 1, op: () => void side.full(), runs: [] });
  if (impl !== 'mutative+msgpack') {
    const full = side.full();
    const patches = Array.from({ length: 100 }, () => side.patch(moved(50)).slice());
    const d = IMPLS[impl]!();
    cases.push({ name: `${impl} decode x/y of 50`, scenario: 'x/y of 50', impl, kind: 'decode', unit: 'patches/s', perOp: 100, op: () => d.decode(full, patches), runs: [] });
  }
}

// ---- change tracking: write x/y of 100 structs (no encoding) ------------------------------------------
{
  let k = 0;
  for (const [impl, objs] of [['accessors', accessorObjects()], ['proxy', proxyObjects()]] as const) {
    cases.push({
      name: `${impl} tracking: set x/y of 100`,
      scenario: 'tracking',
      impl: impl === 'proxy' ? 'colyseus' : impl, // the Proxy is this group's baseline
      kind: 'encode',
      unit: 'writes/s',
      perOp: 2 * N,
      op: () => {
        for (const o of objs) {
          o.x = k++ & 1023;
          o.y = k & 1023;
        }
      },
      runs: [],
    });
  }
}

function measure(op: () => void, perOp: number): number {
  for (let i = 0; i < 50; i++) op();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < DURATION_MS) {
    for (let i = 0; i < 20; i++) op();
    n += 20;
    now = performance.now();
  }
  return Math.round((n * perOp * 1000) / (now - start));
}

// ---- the room with views ------------------------------------------------------------------------------
interface RoomRow {
  name: string;
  entities: number;
  clients: number;
  encodeMs: number[];
  gridMs: number[];
  mutateMs: number[];
  bytesPerClient: number;
  views: number;
}
const rooms: RoomRow[] = [
  { name: '300 clients, 500 entities, views by grid cell', entities: 500, clients: 300, encodeMs: [], gridMs: [], mutateMs: [], bytesPerClient: 0, views: 0 },
  { name: '300 clients, 2000 entities (4x the world, same density)', entities: 2000, clients: 300, encodeMs: [], gridMs: [], mutateMs: [], bytesPerClient: 0, views: 0 },
];
function runRoom(r: RoomRow, seed: number): void {
  const tick = viewsRoom(r.entities, r.clients, seed);
  for (let i = 0; i < 20; i++) tick();
  const ts: TickTimes[] = [];
  for (let i = 0; i < TICKS; i++) ts.push(tick());
  r.encodeMs.push(median(ts.map((t) => t.encode)));
  r.gridMs.push(median(ts.map((t) => t.grid)));
  r.mutateMs.push(median(ts.map((t) => t.mutate)));
  r.bytesPerClient = Math.round(ts.reduce((s, t) => s + t.bytesPerClient, 0) / ts.length);
  r.views = Math.round(ts.reduce((s, t) => s + t.views, 0) / ts.length);
}

function main(): void {
  const started = performance.now();
  // Cases compared with each other run back to back (the order flipped every run), and a ratio is the
  // median of the per-run ratios: on a shared, loaded machine the speed drifts between far-apart cases.
  const groups = new Map<string, Case[]>();
  for (const c of cases) {
    // mutative allocates heavily: its cases run apart so their garbage lands in no compared pair
    const k = `${c.kind} ${c.scenario}${c.impl === 'mutative+msgpack' ? ' mutative' : ''}`;
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  for (let run = 0; run < RUNS; run++) {
    for (const g of groups.values()) for (const c of run % 2 === 0 ? g : [...g].reverse()) c.runs.push(measure(c.op, c.perOp));
    for (const r of rooms) runRoom(r, run + 1);
  }
  const rows = cases.map((c) => {
    const base = cases.find((b) => b.scenario === c.scenario && b.kind === c.kind && b.impl === 'colyseus')!;
    const ratio = median(c.runs.map((x, i) => x / base.runs[i]!));
    return { name: c.name, scenario: c.scenario, impl: c.impl, kind: c.kind, unit: c.unit, median: median(c.runs), runs: c.runs, ratio: Math.round(ratio * 100) / 100, baseline: base.name };
  });
  const roomRows = rooms.map((r) => ({
    name: r.name,
    entities: r.entities,
    clients: r.clients,
    encodeMsPerTick: Math.round(median(r.encodeMs) * 1000) / 1000,
    encodeRuns: r.encodeMs.map((x) => Math.round(x * 1000) / 1000),
    gridMsPerTick: Math.round(median(r.gridMs) * 1000) / 1000,
    mutateMsPerTick: Math.round(median(r.mutateMs) * 1000) / 1000,
    bytesPerClientPerTick: r.bytesPerClient,
    views: r.views,
  }));
  const hearthBytes = bytesRows.filter((r) => r.impl === 'hearth');
  const hearthEncode = rows.filter((r) => r.impl === 'hearth' && r.kind === 'encode');
  for (const r of rows) if (r.scenario === 'tracking') r.impl = r.name.startsWith('proxy') ? 'proxy' : 'accessors';
  const targets = {
    bytes: { description: 'Hearth bytes <= 0.9x @colyseus/schema on every published scenario', worst: Math.max(...hearthBytes.map((r) => r.ratio)), met: hearthBytes.every((r) => r.ratio <= 0.9) },
    encode: { description: 'Hearth encode ops/s >= 1.5x @colyseus/schema on every published scenario', worst: Math.min(...hearthEncode.map((r) => r.ratio)), met: hearthEncode.every((r) => r.ratio >= 1.5) },
    views: { description: '300 clients, 500 entities, views by grid cell: encode time per tick <= 2 ms', ms: roomRows[0]!.encodeMsPerTick, met: roomRows[0]!.encodeMsPerTick <= 2 },
  };
  const result = {
    benchmark: 'state patches: Hearth vs @colyseus/schema 5.0.34 (and mutative 2.0.0 patches + msgpack)',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    config: { runs: RUNS, durationMs: DURATION_MS, ticks: TICKS },
    notes:
      "Published scenarios: map of 100 { name, x, y }, 9-char keys, x/y integers 0..199 (colyseus t.number(), Hearth varint). Bytes: mean of 64 patches; Hearth's include the 1-byte patch header (sequence number). Encode: mutate x/y + encode the patch (colyseus encode()+discardChanges(), Hearth encodeTick().patch(), mutative create(enablePatches)+msgpack). Decode: a fresh decoder fed the full state and 100 patches. Room: median tick; encode = encodeTick + every client's patch + view switches; grid = GridViews bookkeeping; one core. Median of runs; ratio = median of per-run ratios vs @colyseus/schema measured back to back (order flipped every run).",
    targets,
    arena: { description: 'Arena-like room (16 players, 20 Hz, secure protocol framing), simulated: hand-made snapshots vs state patches (bench/arenaBytes.ts)', ...arenaBytes() },
    bytes: bytesRows,
    rows,
    rooms: roomRows,
  };
  const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/results/state.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

  const fmt = (n: number) => n.toLocaleString('en-US');
  console.log('bytes (mean)');
  for (const r of bytesRows) console.log(`  ${r.scenario.padEnd(22)} ${r.impl.padEnd(18)} ${String(r.bytes).padStart(8)} B  ${r.ratio}x`);
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log('\nthroughput (median)');
  for (const r of rows) console.log(`  ${r.name.padEnd(w)}  ${fmt(r.median).padStart(10)} ${r.unit.padEnd(10)} ${`${r.ratio}x`.padStart(7)}  ${r.runs.map(fmt).join(' / ')}`);
  console.log('\nrooms');
  for (const r of roomRows) console.log(`  ${r.name}: encode ${r.encodeMsPerTick} ms/tick (${r.encodeRuns.join(' / ')}), grid ${r.gridMsPerTick} ms, game ${r.mutateMsPerTick} ms, ${r.bytesPerClientPerTick} B/client/tick, ${r.views} views`);
  console.log(`\narena (simulated, 16 players, 20 Hz, secure): snapshots ${result.arena.beforeBytesPerClientPerSecond} B/client/s, state patches ${result.arena.afterBytesPerClientPerSecond} B/client/s (${result.arena.ratio}x)`);
  console.log('\ntargets');
  for (const [k, v] of Object.entries(targets)) console.log(`  ${k}: ${v.met ? 'met' : 'NOT met'} — ${v.description} (${'worst' in v ? v.worst : v.ms})`);
  console.log(`wrote ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main();
