/**
 * `pnpm bench`: echo round trips through @hearth/net (TCP plain, TCP secure, WS plain) against raw
 * node:net baselines (length-prefixed, batched writes; raw bytes and @msgpack/msgpack), in one run.
 * Median of 3 runs; writes bench/results/net.json at the repo root and prints a table.
 *
 * Env: BENCH_RUNS (3), BENCH_DURATION_MS (1000), BENCH_CONNECTIONS (4), BENCH_IN_FLIGHT (64),
 * BENCH_OUT (another output file), BENCH_BEFORE (label=file;...: earlier output files whose targets are kept beside).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineMessage } from '@hearth/protocol';
import { Service, type SessionRef } from '../src/index.ts';
import {
  driveLatency,
  driveThroughput,
  median,
  rawEchoClient,
  startRawEchoServer,
  type EchoLinkFactory,
} from './baselines.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 1000);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 4);
const IN_FLIGHT = Number(process.env['BENCH_IN_FLIGHT'] ?? 64);
const LATENCY_ROUNDS = 2000;
const SIZES = [64, 1024];

const Echo = defineMessage<{ t: number; data: Uint8Array }>(100, 'bench.echo');

interface Row {
  name: string;
  kind: 'raw' | 'hearth';
  payloadBytes: number;
  msgsPerSec: number;
  /** CPU time (user + system) of this process (client and server) per echo; robust to other load on the machine. */
  cpuUsPerMsg: number;
  p50us: number;
  p99us: number;
  runs: number[];
}

/** Client links through a Hearth client service; echoes are routed back by session id. */
function hearthEchoClient(client: Service, address: string, protocol: string, payloadBytes: number): EchoLinkFactory {
  const data = new Uint8Array(payloadBytes).fill(7);
  const routes = new Map<number, (t: number) => void>();
  client.sub({ message: Echo.type }, (ref, msg) => routes.get(ref.id)?.((msg.payload as { t: number }).t));
  return async (onEcho) => {
    const ref: SessionRef = await client.connect(address, protocol, { reconnect: false });
    routes.set(ref.id, onEcho);
    return {
      send: (t) => void ref.send(Echo, { t, data }),
      close: () => {
        routes.delete(ref.id);
        ref.close('NORMAL');
      },
    };
  };
}

interface Sample {
  msgsPerSec: number;
  cpuUsPerMsg: number;
  p50: number;
  p99: number;
}

async function measure(factory: EchoLinkFactory): Promise<Sample> {
  const cpu = { usPerMsg: NaN };
  const msgsPerSec = await driveThroughput(factory, {
    cpu,
    connections: CONNECTIONS,
    inFlight: IN_FLIGHT,
    warmupMs: 200,
    durationMs: DURATION_MS,
  });
  const { p50, p99 } = await driveLatency(factory, LATENCY_ROUNDS);
  return { msgsPerSec, cpuUsPerMsg: cpu.usPerMsg, p50, p99 };
}

async function main(): Promise<void> {
  const started = performance.now();
  // Earlier runs' targets kept beside this one: BENCH_BEFORE=label=file[;label=file...], read first (a bad path fails before the run).
  const earlierRuns: Record<string, { date: string; targets: unknown }> = {};
  for (const entry of (process.env['BENCH_BEFORE'] ?? '').split(';').filter((e) => e !== '')) {
    const at = entry.lastIndexOf('=');
    const [label, file] = at < 0 ? ['before', entry] : [entry.slice(0, at), entry.slice(at + 1)];
    const earlier = JSON.parse(readFileSync(file, 'utf8')) as { date: string; targets: unknown };
    earlierRuns[label] = { date: earlier.date, targets: earlier.targets };
  }
  const server = new Service({ log: false, limits: { rateLimit: false } });
  server.sub({ message: Echo.type }, (ref, msg) => ref.send(Echo, msg.payload as { t: number; data: Uint8Array }));
  const tcpPlain = await server.accept('tcp://127.0.0.1:0', 'msgpack');
  const tcpSecure = await server.accept('tcp://127.0.0.1:0', 'msgpack+nacl');
  const wsPlain = await server.accept('ws://127.0.0.1:0', 'msgpack');
  const wsSecure = await server.accept('ws://127.0.0.1:0', 'msgpack+nacl');
  const rawBytes = await startRawEchoServer('bytes');
  const rawMsgpack = await startRawEchoServer('msgpack');
  const rawMsgpackReused = await startRawEchoServer('msgpack-reused');

  const variants: Array<{ name: string; kind: Row['kind']; make(size: number, client: Service): EchoLinkFactory }> = [
    { name: 'raw net, bytes, batched', kind: 'raw', make: (size) => rawEchoClient(rawBytes.port, 'bytes', size) },
    { name: 'raw net, msgpack, batched', kind: 'raw', make: (size) => rawEchoClient(rawMsgpack.port, 'msgpack', size) },
    {
      name: 'raw net, msgpack reused Encoder, batched',
      kind: 'raw',
      make: (size) => rawEchoClient(rawMsgpackReused.port, 'msgpack-reused', size),
    },
    { name: 'hearth tcp msgpack', kind: 'hearth', make: (size, c) => hearthEchoClient(c, tcpPlain.address, 'msgpack', size) },
    { name: 'hearth tcp msgpack+nacl', kind: 'hearth', make: (size, c) => hearthEchoClient(c, tcpSecure.address, 'msgpack+nacl', size) },
    { name: 'hearth ws msgpack', kind: 'hearth', make: (size, c) => hearthEchoClient(c, wsPlain.address, 'msgpack', size) },
    { name: 'hearth ws msgpack+nacl', kind: 'hearth', make: (size, c) => hearthEchoClient(c, wsSecure.address, 'msgpack+nacl', size) },
  ];

  const samples = new Map<string, Sample[]>();
  for (let run = 0; run < RUNS; run++) {
    for (const size of SIZES) {
      for (const v of variants) {
        const client = new Service({ log: false });
        const result = await measure(v.make(size, client));
        await client.close({ deadlineMs: 500 });
        const key = `${v.name}|${size}`;
        samples.set(key, [...(samples.get(key) ?? []), result]);
        process.stderr.write(`run ${run + 1}/${RUNS} ${size} B ${v.name}: ${Math.round(result.msgsPerSec)} msgs/s, ${result.cpuUsPerMsg.toFixed(2)} µs CPU/echo\n`);
      }
    }
  }
  await server.close({ deadlineMs: 500 });
  await rawBytes.close();
  await rawMsgpack.close();
  await rawMsgpackReused.close();

  const rows: Row[] = [];
  for (const size of SIZES) {
    for (const v of variants) {
      const s = samples.get(`${v.name}|${size}`)!;
      rows.push({
        name: v.name,
        kind: v.kind,
        payloadBytes: size,
        msgsPerSec: Math.round(median(s.map((x) => x.msgsPerSec))),
        cpuUsPerMsg: +median(s.map((x) => x.cpuUsPerMsg)).toFixed(2),
        p50us: median(s.map((x) => x.p50)),
        p99us: median(s.map((x) => x.p99)),
        runs: s.map((x) => Math.round(x.msgsPerSec)),
      });
    }
  }
  const find = (name: string, size: number): Row => rows.find((r) => r.name === name && r.payloadBytes === size)!;
  const table = rows.map((r) => {
    const bytes = find('raw net, bytes, batched', r.payloadBytes).msgsPerSec;
    const mp = find('raw net, msgpack, batched', r.payloadBytes).msgsPerSec;
    const mpr = find('raw net, msgpack reused Encoder, batched', r.payloadBytes).msgsPerSec;
    const plain = find('hearth tcp msgpack', r.payloadBytes).msgsPerSec;
    return {
      ...r,
      vsRawBytes: +(r.msgsPerSec / bytes).toFixed(2),
      vsRawMsgpack: +(r.msgsPerSec / mp).toFixed(2),
      vsRawMsgpackReused: +(r.msgsPerSec / mpr).toFixed(2),
      vsHearthTcpPlain: +(r.msgsPerSec / plain).toFixed(2),
      cpuVsRawMsgpack: +(find('raw net, msgpack, batched', r.payloadBytes).cpuUsPerMsg / r.cpuUsPerMsg).toFixed(2),
    };
  });
  const secureRatio = (size: number): number =>
    +(find('hearth tcp msgpack+nacl', size).msgsPerSec / find('hearth tcp msgpack', size).msgsPerSec).toFixed(2);
  const plainRatio = (size: number): number =>
    +(find('hearth tcp msgpack', size).msgsPerSec / find('raw net, msgpack, batched', size).msgsPerSec).toFixed(2);
  const wsSecureRatio = (size: number): number =>
    +(find('hearth ws msgpack+nacl', size).msgsPerSec / find('raw net, msgpack, batched', size).msgsPerSec).toFixed(2);
  const cpuRatio = (name: string, size: number): number =>
    +(find('raw net, msgpack, batched', size).cpuUsPerMsg / find(name, size).cpuUsPerMsg).toFixed(2);
  const targets = Object.fromEntries(
    SIZES.map((size) => [
      `${size}B`,
      {
        plainVsRawMsgpack: plainRatio(size),
        plainVsRawMsgpackReused: +(
          find('hearth tcp msgpack', size).msgsPerSec / find('raw net, msgpack reused Encoder, batched', size).msgsPerSec
        ).toFixed(2),
        plainTarget: 1.0,
        plainMet: plainRatio(size) >= 1.0,
        secureVsPlain: secureRatio(size),
        secureTarget: 0.5,
        secureMet: secureRatio(size) >= 0.5,
        wsSecureVsRawMsgpack: wsSecureRatio(size),
        wsSecureTarget: 0.6,
        wsSecureMet: wsSecureRatio(size) >= 0.6,
        wsPlainVsRawMsgpack: +(find('hearth ws msgpack', size).msgsPerSec / find('raw net, msgpack, batched', size).msgsPerSec).toFixed(2),
        // The same ratios from CPU per echo (raw ÷ hearth): what a core does, whatever else runs on the machine.
        byCpu: {
          plainVsRawMsgpack: cpuRatio('hearth tcp msgpack', size),
          secureVsRawMsgpack: cpuRatio('hearth tcp msgpack+nacl', size),
          wsPlainVsRawMsgpack: cpuRatio('hearth ws msgpack', size),
          wsSecureVsRawMsgpack: cpuRatio('hearth ws msgpack+nacl', size),
        },
      },
    ]),
  );
  const result = {
    benchmark: 'net echo round trips',
    date: new Date().toISOString(),
    node: process.version,
    cpus: (await import('node:os')).cpus().length,
    loadavg: (await import('node:os')).loadavg().map((l) => +l.toFixed(1)),
    config: { runs: RUNS, durationMs: DURATION_MS, connections: CONNECTIONS, inFlightPerConnection: IN_FLIGHT, latencyRounds: LATENCY_ROUNDS },
    notes:
      'client and server in one process; throughput = echoes/s with connections×inFlight outstanding; latency p50/p99 in µs at one message in flight on one connection; cpuUsPerMsg = CPU (user + system) of the process per echo during the throughput window, and byCpu / cpuVsRawMsgpack the raw ÷ hearth ratios of it (the machine is shared: msgs/s moves with other load, CPU per echo much less); median of runs',
    rows: table,
    targets,
    totalSeconds: +((performance.now() - started) / 1000).toFixed(1),
  };
  if (Object.keys(earlierRuns).length > 0) Object.assign(result, { earlierRuns });
  const here = dirname(fileURLToPath(import.meta.url));
  const out = process.env['BENCH_OUT'] ?? resolve(here, '../../../bench/results/net.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.table(
    table.map((r) => ({
      row: r.name,
      bytes: r.payloadBytes,
      'msgs/s': r.msgsPerSec,
      'CPU µs/echo': r.cpuUsPerMsg,
      'cpu x raw mp': r.cpuVsRawMsgpack,
      'p50 µs': r.p50us,
      'p99 µs': r.p99us,
      'x raw bytes': r.vsRawBytes,
      'x raw msgpack': r.vsRawMsgpack,
      'x raw mp reused': r.vsRawMsgpackReused,
      'x hearth plain': r.vsHearthTcpPlain,
    })),
  );
  console.log('targets', JSON.stringify(targets));
  console.log(`wrote ${out} in ${result.totalSeconds} s`);
}

await main();
