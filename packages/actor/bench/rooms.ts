/**
 * `pnpm bench` (actor, rooms): a room message's round trip — client → `room.send` envelope →
 * the room kind's handler → typed reply — beside the player fast path (a `.handle` request echo),
 * on the same node, connections and payloads, in the same run. Paired ratio room/fast within each
 * run, median of runs; writes bench/results/rooms.json.
 *
 * Env: BENCH_RUNS (5), BENCH_DURATION_MS (1500), BENCH_CONNECTIONS (4), BENCH_IN_FLIGHT (64), BENCH_ONLY (fast | room),
 * BENCH_BEFORE (a rooms.json written before a change: its figures are kept as `before`, with BENCH_BEFORE_NOTE).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Service } from '@hearth/net';
import { Login, RoomJoinOrCreate, RoomSend, defineMessage } from '@hearth/protocol';
import { pino } from 'pino';
import { driveLatency, driveThroughput, median, type EchoLinkFactory } from '../../net/bench/baselines.ts';
import { createNode, definePlayer, defineRoom, devAuthenticator } from '../src/index.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 1500);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 4);
const IN_FLIGHT = Number(process.env['BENCH_IN_FLIGHT'] ?? 64);
const LATENCY_ROUNDS = 2000;
const SIZE = 64;

type EchoBody = { t: number; data: Uint8Array };
const EchoRequest = defineMessage<EchoBody, EchoBody>(102, 'bench.echoRequest');
const player = definePlayer().handle(EchoRequest, (_p, body) => body);
const Echo = defineRoom({ name: 'echo', maxPlayers: 100_000 }).handle(EchoRequest, (_room, _p, body) => body);

function client(service: Service, port: number, via: 'fast' | 'room'): EchoLinkFactory {
  const data = new Uint8Array(SIZE).fill(7);
  let n = 0;
  return async (onEcho) => {
    const ref = await service.connect(`tcp://127.0.0.1:${port}`, 'msgpack', { reconnect: false });
    await ref.request(Login, { name: `bench${n++}` });
    const { roomId } = await ref.request(RoomJoinOrCreate, { kind: 'echo' });
    const send =
      via === 'fast'
        ? (t: number) => void ref.request(EchoRequest, { t, data }).then((r) => onEcho(r.t), () => {})
        : (t: number) =>
            void ref.request(RoomSend, [roomId, EchoRequest.type, { t, data }]).then((r) => onEcho((r as EchoBody).t), () => {});
    return { send, close: () => ref.close('NORMAL') };
  };
}

async function measure(factory: EchoLinkFactory): Promise<{ msgsPerSec: number; p50: number; p99: number; cpuUs: number }> {
  const cpu = { usPerMsg: NaN };
  const msgsPerSec = await driveThroughput(factory, { connections: CONNECTIONS, inFlight: IN_FLIGHT, warmupMs: 200, durationMs: DURATION_MS, cpu });
  const { p50, p99 } = await driveLatency(factory, LATENCY_ROUNDS);
  return { msgsPerSec, p50, p99, cpuUs: cpu.usPerMsg };
}

async function main(): Promise<void> {
  const limits = { rateLimit: false, maxConnectionsPerAddress: false, handshakeRatePerAddress: false } as const;
  const server = new Service({ log: false, limits });
  const node = await createNode({
    service: server,
    player,
    rooms: [Echo],
    authenticate: devAuthenticator,
    logger: pino({ enabled: false }),
    listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
  });
  const port = node.endpoints[0]!.port;
  const clients = new Service({ log: false });
  const fast: Awaited<ReturnType<typeof measure>>[] = [];
  const room: Awaited<ReturnType<typeof measure>>[] = [];
  const only = process.env['BENCH_ONLY']; // 'fast' or 'room': one side only (for a CPU profile)
  for (let run = 0; run < RUNS; run++) {
    if (only !== undefined) {
      (only === 'room' ? room : fast).push(await measure(client(clients, port, only === 'room' ? 'room' : 'fast')));
      continue;
    }
    // Alternate the order (ABBA...) so drift on a shared machine does not favour one side.
    if (run % 2 === 0) {
      fast.push(await measure(client(clients, port, 'fast')));
      room.push(await measure(client(clients, port, 'room')));
    } else {
      room.push(await measure(client(clients, port, 'room')));
      fast.push(await measure(client(clients, port, 'fast')));
    }
  }
  await node.close();
  await clients.close({ deadlineMs: 500 });
  await server.close({ deadlineMs: 500 });
  const row = (name: string, s: typeof fast) => ({
    name,
    msgsPerSec: Math.round(median(s.map((x) => x.msgsPerSec))),
    p50us: median(s.map((x) => x.p50)),
    p99us: median(s.map((x) => x.p99)),
    cpuUsPerMsg: +median(s.map((x) => x.cpuUs)).toFixed(2),
    runs: s.map((x) => Math.round(x.msgsPerSec)),
  });
  const result = {
    benchmark: 'actor rooms: room message round trip vs the player fast path',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    config: { runs: RUNS, durationMs: DURATION_MS, connections: CONNECTIONS, inFlightPerConnection: IN_FLIGHT, latencyRounds: LATENCY_ROUNDS, payloadBytes: SIZE },
    notes: [
      'client and server in one process, plain msgpack over TCP on 127.0.0.1; throughput = request round trips/s with connections×inFlight outstanding; p50/p99 µs at one in flight; median of runs',
      'fast path: a player .handle request echo (the baseline); room: the same echo as a room handler, addressed with the room.send envelope [roomId, type, payload]',
      'roomVsFast: room/fast msgs/s within each run, median over runs (target ≥ 0.8, issue 11); roomVsFastCpu: fast/room CPU µs per message, the same way (less exposed to other load on a shared machine)',
    ],
    rows: [row('fast path request echo', fast), row('room.send request echo', room)],
    roomVsFast: only === undefined ? +median(room.map((r, i) => r.msgsPerSec / fast[i]!.msgsPerSec)).toFixed(2) : null,
    roomVsFastCpu: only === undefined ? +median(fast.map((f, i) => f.cpuUs / room[i]!.cpuUs)).toFixed(2) : null,
  };
  const beforePath = process.env['BENCH_BEFORE'];
  if (beforePath !== undefined) {
    const before = JSON.parse(readFileSync(beforePath, 'utf8')) as typeof result;
    Object.assign(result, {
      before: { date: before.date, note: process.env['BENCH_BEFORE_NOTE'] ?? '', config: before.config, rows: before.rows, roomVsFast: before.roomVsFast, roomVsFastCpu: before.roomVsFastCpu },
    });
  }
  const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/results/rooms.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify({ rows: result.rows, roomVsFast: result.roomVsFast, roomVsFastCpu: result.roomVsFastCpu }, null, 2));
}

await main();
