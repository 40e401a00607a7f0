/**
 * `pnpm bench` in @hearth/protocol: codec, seal+open and server handshakes, each with its baseline in
 * the same run (plain @msgpack/msgpack for the codec, tweetnacl for the crypto). Cases run round-robin
 * (run 1 of every case, then run 2, ...) so machine noise hits all alike; median of the runs.
 * Writes bench/results/protocol.json at the repo root and prints a table.
 *
 * Env: BENCH_RUNS (3), BENCH_DURATION_MS (400 per run and case), BENCH_GROUPS (comma-separated
 * groups to run, e.g. `decode`; all by default).
 */
import { Decoder, decode, encode } from '@msgpack/msgpack';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BatchWriter,
  ClientHandshake,
  ServerHandshake,
  DEFAULT_MAX_DEPTH,
  decodeBatch,
  scanValue,
  tweetnaclProvider,
  type Channel,
  type CryptoProvider,
} from '../src/index.ts';
import { nodeCryptoProvider, opensslCryptoProvider } from '../src/node/index.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 400);
const BATCH = 16; // messages per body in the codec cases
const PROVIDERS: readonly CryptoProvider[] = [tweetnaclProvider, nodeCryptoProvider, opensslCryptoProvider];

interface Case {
  name: string;
  group: string;
  unit: string;
  /** The case this one is compared with (itself for a baseline). */
  baseline: string;
  /** Units of work done by one call of `op`. */
  perOp: number;
  op: () => void;
  runs: number[];
}

const cases: Case[] = [];
function add(c: Omit<Case, 'runs'>): void {
  cases.push({ ...c, runs: [] });
}

// ---- codec: a body of BATCH push messages, encoded then decoded ------------------------------------
/** A game-like payload whose message `[0, 100, payload]` encodes to exactly `bytes` bytes. */
function payloadOf(bytes: number, seq: number): { seq: number; x: number; y: number; text: string } {
  const base = { seq, x: 1.25, y: -3.5, text: '' };
  const overhead = encode([0, 100, base]).length;
  let text = 'x'.repeat(Math.max(0, bytes - overhead));
  while (encode([0, 100, { ...base, text }]).length > bytes) text = text.slice(1);
  return { ...base, text };
}

for (const size of [64, 1024]) {
  const payloads = Array.from({ length: BATCH }, (_, i) => payloadOf(size, 1000 + i));
  const arrays = payloads.map((p) => [0, 100, p]);
  let sink = 0;
  const baseline = `msgpack encode+decode ${size} B`;
  add({
    name: baseline,
    group: 'codec',
    unit: 'msgs/s',
    baseline,
    perOp: BATCH,
    op: () => {
      const decoded = decode(encode(arrays)) as unknown[];
      sink += decoded.length;
    },
  });
  const writer = new BatchWriter();
  add({
    name: `BatchWriter+decodeBatch ${size} B`,
    group: 'codec',
    unit: 'msgs/s',
    baseline,
    perOp: BATCH,
    op: () => {
      for (const p of payloads) writer.push(100, p);
      decodeBatch(writer.take(), () => sink++);
    },
  });
  if (sink < 0) console.log(sink);
}

// ---- decode: what the bounded decoding (pre-scan, then decode) costs over the unbounded decoder -----
{
  const shapes: Array<[string, (i: number) => unknown]> = [
    ['64 B game', (i) => payloadOf(64, 1000 + i)],
    ['1024 B game', (i) => payloadOf(1024, 1000 + i)],
    ['1 KB bin (echo)', (i) => ({ t: 1_790_000_000_000 + i, data: new Uint8Array(1024).fill(i) })],
    ['200 small ints', (i) => Array.from({ length: 200 }, (_, k) => (k * 7 + i) & 0x7f)],
  ];
  const unbounded = new Decoder();
  for (const [shape, make] of shapes) {
    const writer = new BatchWriter();
    for (let i = 0; i < BATCH; i++) writer.push(100, make(i));
    const body = writer.take().slice();
    let sink = 0;
    const baseline = `unbounded decodeMulti ${shape}`;
    add({ name: baseline, group: 'decode', unit: 'msgs/s', baseline, perOp: BATCH, op: () => {
      for (const v of unbounded.decodeMulti(body)) sink += (v as unknown[]).length;
    } });
    add({ name: `decodeBatch (scan+decode) ${shape}`, group: 'decode', unit: 'msgs/s', baseline, perOp: BATCH, op: () => {
      decodeBatch(body, () => sink++);
    } });
    add({ name: `scanValue alone ${shape}`, group: 'decode', unit: 'msgs/s', baseline, perOp: BATCH, op: () => {
      for (let at = 0; at < body.length; ) at = scanValue(body, at, body.length, DEFAULT_MAX_DEPTH);
    } });
    if (sink < 0) console.log(sink);
  }
}

// ---- seal+open: one body through a client channel and a server channel ----------------------------
function channelPair(provider: CryptoProvider): { client: Channel; server: Channel } {
  const signing = provider.signKeyPair();
  const hs = new ClientHandshake({ secure: true, provider });
  const { reply, channel: server } = new ServerHandshake({ secure: true, provider, signingSecretKey: signing.secretKey }).receive(hs.hello());
  return { client: hs.receive(reply), server };
}

for (const size of [64, 1024]) {
  const body = new Uint8Array(size).fill(7);
  const baseline = `seal+open ${size} B tweetnacl`;
  for (const provider of PROVIDERS) {
    const { client, server } = channelPair(provider);
    add({
      name: `seal+open ${size} B ${provider.name}`,
      group: 'seal+open',
      unit: 'bodies/s',
      baseline,
      perOp: 1,
      op: () => {
        if (server.open(client.seal(body)).length !== size) throw new Error('seal+open lost bytes');
      },
    });
  }
}

// ---- handshakes: the whole server side (boxKeyPair + boxBefore + signDetached + msgpack) -----------
{
  const hellos = Array.from({ length: 64 }, () => new ClientHandshake({ secure: true }).hello());
  const baseline = 'server handshake tweetnacl';
  for (const provider of PROVIDERS) {
    const signingSecretKey = provider.signKeyPair().secretKey;
    let i = 0;
    add({
      name: `server handshake ${provider.name}`,
      group: 'handshake',
      unit: 'handshakes/s',
      baseline,
      perOp: 1,
      op: () => {
        new ServerHandshake({ secure: true, provider, signingSecretKey }).receive(hellos[i++ & 63]!);
      },
    });
  }
}

/** Work units per second of `op` over about DURATION_MS (after a short warm-up). */
function measure(c: Case, warm: boolean): number {
  const deadline = (from: number, ms: number) => from + ms;
  if (warm) {
    const end = deadline(performance.now(), Math.min(150, DURATION_MS / 2));
    while (performance.now() < end) c.op();
  }
  const start = performance.now();
  const end = deadline(start, DURATION_MS);
  let ops = 0;
  let now = start;
  // Check the clock every few ops only: tweetnacl handshakes take ~10 ms, codec ops ~10 µs.
  const step = c.group === 'handshake' ? 1 : 16;
  while (now < end) {
    for (let k = 0; k < step; k++) c.op();
    ops += step;
    now = performance.now();
  }
  return (ops * c.perOp * 1000) / (now - start);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main(): void {
  const started = performance.now();
  const groups = process.env['BENCH_GROUPS']?.split(',');
  if (groups !== undefined) cases.splice(0, cases.length, ...cases.filter((c) => groups.includes(c.group)));
  for (let run = 0; run < RUNS; run++) {
    for (const c of cases) c.runs.push(Math.round(measure(c, run === 0)));
  }
  const byName = new Map(cases.map((c) => [c.name, c]));
  const rows = cases.map((c) => {
    const med = median(c.runs);
    const base = median(byName.get(c.baseline)!.runs);
    return { name: c.name, group: c.group, unit: c.unit, median: med, runs: c.runs, baseline: c.baseline, ratio: Math.round((med / base) * 100) / 100 };
  });
  const handshakeRatio = (name: string) => rows.find((r) => r.name === `server handshake ${name}`)!.ratio;
  const handshakes = groups === undefined || groups.includes('handshake');
  const target = handshakes
    ? { description: 'node provider server handshakes/s >= 30x tweetnacl in the same run', ratio: handshakeRatio('node'), met: handshakeRatio('node') >= 30 }
    : undefined;
  const result = {
    benchmark: 'protocol codec, seal+open and handshakes',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    config: { runs: RUNS, durationMs: DURATION_MS, batchMessages: BATCH },
    notes:
      'codec: msgs/s for bodies of 16 push messages of the stated encoded size, encode then decode; seal+open: one body sealed by a client channel and opened by a server channel; handshake: full server side (ephemeral key pair, box.before, Ed25519 sign, msgpack), one core. Median of runs; ratio = median / baseline median.',
    target,
    rows,
  };
  const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/results/protocol.json');
  if (groups === undefined) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  }

  const fmt = (n: number) => n.toLocaleString('en-US');
  const nameWidth = Math.max(...rows.map((r) => r.name.length));
  console.log(`${'case'.padEnd(nameWidth)}  ${'median'.padStart(12)}  unit          ratio  runs`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(nameWidth)}  ${fmt(r.median).padStart(12)}  ${r.unit.padEnd(12)}  ${`${r.ratio}x`.padStart(6)}  ${r.runs.map(fmt).join(' / ')}`);
  }
  if (target !== undefined) console.log(`\ntarget: node handshakes ${target.ratio}x tweetnacl (>= 30x): ${target.met ? 'met' : 'NOT met'}`);
  console.log(`${groups === undefined ? `wrote ${out}` : 'BENCH_GROUPS set: results not written'} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main();
