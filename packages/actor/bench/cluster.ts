/**
 * Cluster benchmark: cross-node pushes, node A → node B through two RedisBackplanes on one private
 * redis-server, beside the raw PUBLISH rate of the same server in the same run:
 *  - `redis-benchmark` PUBLISH of a 64 B message (pipelined, no subscriber: the server's ceiling);
 *  - raw ioredis pipelined PUBLISH of 64 B to one subscriber (what one node pair could do unbatched).
 * Throughput: BENCH_CLUSTER_MESSAGES pushes of 64 B data, routed like `Holder.send` (directory lookup
 * through the routing cache, then `publish`), with at most BENCH_CLUSTER_WINDOW in flight; counted
 * when node B's envelope handler has them. Latency: one push at a time, send → B's handler.
 * Both again with `clusterSecret` set (every message signed and verified with HMAC-SHA256): the
 * `Signed` figures, the cost of cluster trust.
 * Median of BENCH_RUNS (3). Writes bench/results/cluster.json at the repository root.
 *
 * Run: node --import tsx --conditions=@hearth/source bench/cluster.ts   (from packages/actor)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeMessage, Kind } from '@hearth/protocol';
import { Redis } from 'ioredis';
import { EnvelopeSigner } from '../src/cluster/EnvelopeSigner.ts';
import { RedisBackplane } from '../src/cluster/RedisBackplane.ts';
import { startRedis } from '../src/testing/index.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const MESSAGES = Number(process.env['BENCH_CLUSTER_MESSAGES'] ?? 200_000);
const WINDOW = Number(process.env['BENCH_CLUSTER_WINDOW'] ?? 20_000);
const PER_TURN = 1_000;
const LATENCY_ROUNDS = 2_000;
const PAYLOAD = 64;
const SECRET = 'bench cluster secret, 32 bytes..';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Sends `total` items with `send(i)`, PER_TURN per turn, never more than WINDOW ahead of `received()`. */
async function pump(total: number, send: (i: number) => void, received: () => number, done: Promise<void>): Promise<number> {
  const t0 = performance.now();
  let sent = 0;
  while (sent < total) {
    const room = Math.min(PER_TURN, total - sent, WINDOW - (sent - received()));
    for (let k = 0; k < room; k++) send(sent++);
    await turn();
  }
  await done;
  return total / ((performance.now() - t0) / 1000);
}

async function rawThroughput(url: string): Promise<number> {
  const pub = new Redis(url);
  const sub = new Redis(url);
  const body = Buffer.alloc(PAYLOAD, 7);
  let got = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  sub.on('messageBuffer', () => {
    if (++got === MESSAGES) finish();
  });
  await sub.subscribe('raw');
  let pipe = pub.pipeline();
  let queued = 0;
  const rate = await pump(
    MESSAGES,
    (i) => {
      pipe.publish('raw', body);
      if (++queued === PER_TURN || i === MESSAGES - 1) {
        void pipe.exec();
        pipe = pub.pipeline();
        queued = 0;
      }
    },
    () => got,
    done,
  );
  pub.disconnect();
  sub.disconnect();
  return rate;
}

async function rawLatency(url: string): Promise<number[]> {
  const pub = new Redis(url);
  const sub = new Redis(url);
  let resolveOne!: () => void;
  sub.on('messageBuffer', () => resolveOne());
  await sub.subscribe('lat');
  const body = Buffer.alloc(PAYLOAD, 7);
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_ROUNDS; i++) {
    const arrived = new Promise<void>((r) => (resolveOne = r));
    const t0 = performance.now();
    void pub.publish('lat', body);
    await arrived;
    samples.push(performance.now() - t0);
  }
  pub.disconnect();
  sub.disconnect();
  return samples;
}

function redisBenchmark(port: number): number {
  // Explicit command: `-t publish` is not one of redis-benchmark's built-in tests.
  const out = execFileSync('redis-benchmark', ['-p', String(port), '-n', '200000', '-c', '4', '-P', '16', '--csv', 'publish', 'bench', 'x'.repeat(PAYLOAD)], {
    encoding: 'utf8',
  });
  const row = out.trim().split('\n').at(-1)!.split(',');
  return Number(JSON.parse(row[1]!));
}

async function backplanePair(url: string, prefix: string, signed: boolean): Promise<{ a: RedisBackplane; b: RedisBackplane; close: () => Promise<void> }> {
  const secret = signed ? { clusterSecret: SECRET } : {};
  const a = new RedisBackplane({ url, keyPrefix: prefix, nodeId: 'bench-a', ...secret });
  const b = new RedisBackplane({ url, keyPrefix: prefix, nodeId: 'bench-b', ...secret });
  await Promise.all([a.start(), b.start()]);
  await b.directory.claim({ userId: 'target', nodeId: 'bench-b', sessionId: 1 });
  return {
    a,
    b,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
}

/** What `Holder.send` does for a user on another node: directory lookup (cached), then publish. */
function holderSend(a: RedisBackplane, bytes: Uint8Array): void {
  void a.directory.lookup('target').then((e) => {
    if (e !== undefined) a.publish(e.nodeId, { kind: 'push', userId: 'target', bytes });
  });
}

async function clusterThroughput(url: string, prefix: string, signed = false): Promise<{ rate: number; publishes: number }> {
  const { a, b, close } = await backplanePair(url, prefix, signed);
  const bytes = encodeMessage({ kind: Kind.PUSH, type: 100, payload: new Uint8Array(PAYLOAD) });
  let got = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  b.onEnvelope(() => {
    if (++got === MESSAGES) finish();
  });
  const rate = await pump(MESSAGES, () => holderSend(a, bytes), () => got, done);
  const publishes = a.stats().publishes;
  await close();
  return { rate, publishes };
}

async function clusterLatency(url: string, prefix: string, signed = false): Promise<number[]> {
  const { a, b, close } = await backplanePair(url, prefix, signed);
  const bytes = encodeMessage({ kind: Kind.PUSH, type: 100, payload: new Uint8Array(PAYLOAD) });
  let resolveOne!: () => void;
  b.onEnvelope(() => resolveOne());
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_ROUNDS; i++) {
    const arrived = new Promise<void>((r) => (resolveOne = r));
    const t0 = performance.now();
    holderSend(a, bytes);
    await arrived;
    samples.push(performance.now() - t0);
  }
  await close();
  return samples;
}

/** CPU of signing and verifying one published body (µs, median of 9 rounds): the per-publish cost of `clusterSecret`. */
function signVerifyMicros(messages: number): number {
  const signer = new EnvelopeSigner(SECRET);
  const channel = 'hearth:node:bench-b';
  const name = Buffer.from(channel);
  const one = encodeMessage({ kind: Kind.PUSH, type: BackplaneOpPush, payload: ['target', new Uint8Array(PAYLOAD), 0] });
  const body = Buffer.concat(Array.from({ length: messages }, () => one));
  const rounds = messages > 1 ? 200 : 20_000;
  const samples: number[] = [];
  for (let k = 0; k < 9; k++) {
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) if (signer.open(name, signer.sign(channel, body)) === undefined) throw new Error('verify failed');
    samples.push(((performance.now() - t0) * 1000) / rounds);
  }
  return median(samples);
}
const BackplaneOpPush = 1;

async function main(): Promise<void> {
  await using redis = await startRedis();
  const port = Number(new URL(redis.url).port);
  const runs: Array<Record<string, number>> = [];
  for (let run = 0; run < RUNS; run++) {
    const benchRps = redis.private ? redisBenchmark(port) : NaN;
    const raw = await rawThroughput(redis.url);
    const cluster = await clusterThroughput(redis.url, `${redis.prefix}${run}:`);
    const rawLat = await rawLatency(redis.url);
    const clusterLat = await clusterLatency(redis.url, `${redis.prefix}${run}l:`);
    const signed = await clusterThroughput(redis.url, `${redis.prefix}${run}s:`, true);
    const signedLat = await clusterLatency(redis.url, `${redis.prefix}${run}sl:`, true);
    const r = {
      redisBenchmarkPublishPerSec: benchRps,
      rawPublishPerSec: raw,
      clusterPushPerSec: cluster.rate,
      clusterPublishes: cluster.publishes,
      rawLatencyP50Ms: pct(rawLat, 0.5),
      rawLatencyP99Ms: pct(rawLat, 0.99),
      clusterLatencyP50Ms: pct(clusterLat, 0.5),
      clusterLatencyP99Ms: pct(clusterLat, 0.99),
      clusterSignedPushPerSec: signed.rate,
      clusterSignedLatencyP50Ms: pct(signedLat, 0.5),
      clusterSignedLatencyP99Ms: pct(signedLat, 0.99),
    };
    runs.push(r);
    console.log(`run ${run + 1}/${RUNS}`, r);
  }
  const med = (k: string): number => median(runs.map((r) => r[k]!));
  const perBatch = signVerifyMicros(2_000);
  const perLone = signVerifyMicros(1);
  const result = {
    benchmark: 'cluster',
    date: new Date().toISOString(),
    node: process.version,
    redis: execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim(),
    messages: MESSAGES,
    window: WINDOW,
    payloadBytes: PAYLOAD,
    runs: RUNS,
    median: {
      redisBenchmarkPublishPerSec: Math.round(med('redisBenchmarkPublishPerSec')),
      rawPublishPerSec: Math.round(med('rawPublishPerSec')),
      clusterPushPerSec: Math.round(med('clusterPushPerSec')),
      messagesPerPublish: Math.round(MESSAGES / med('clusterPublishes')),
      rawLatencyP50Ms: +med('rawLatencyP50Ms').toFixed(3),
      rawLatencyP99Ms: +med('rawLatencyP99Ms').toFixed(3),
      clusterLatencyP50Ms: +med('clusterLatencyP50Ms').toFixed(3),
      clusterLatencyP99Ms: +med('clusterLatencyP99Ms').toFixed(3),
      clusterSignedPushPerSec: Math.round(med('clusterSignedPushPerSec')),
      clusterSignedLatencyP50Ms: +med('clusterSignedLatencyP50Ms').toFixed(3),
      clusterSignedLatencyP99Ms: +med('clusterSignedLatencyP99Ms').toFixed(3),
    },
    ratio: {
      clusterVsRawPublish: +(med('clusterPushPerSec') / med('rawPublishPerSec')).toFixed(2),
      clusterVsRedisBenchmark: +(med('clusterPushPerSec') / med('redisBenchmarkPublishPerSec')).toFixed(2),
      signedVsUnsigned: +(med('clusterSignedPushPerSec') / med('clusterPushPerSec')).toFixed(2),
    },
    signing: {
      signVerifyMicrosPerPublishOf2000: +perBatch.toFixed(1),
      signVerifyMicrosPerMessageBatched: +(perBatch / 2_000).toFixed(3),
      signVerifyMicrosPerLonePublish: +perLone.toFixed(1),
    },
    target: 'clusterPushPerSec >= 0.5 x raw PUBLISH rate (64 B)',
    runsDetail: runs,
  };
  const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/results/cluster.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result.median), JSON.stringify(result.ratio), JSON.stringify(result.signing));
}

await main();
