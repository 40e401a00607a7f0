/**
 * Rooms across nodes (issue 11, item 6), each beside a raw Redis baseline in the same run:
 *  - a room message's round trip from a client on node A to its room on node B (client → A →
 *    `hearth.room.forward` node request over Redis → B's handler → reply over Redis → A → client),
 *    beside a raw PUBLISH/SUBSCRIBE ping-pong between two connections (one Redis round trip each way);
 *  - joinOrCreate per second in cluster mode (client requests on A, rooms of 4), beside a raw loop
 *    of EVALs of the same Lua script (RoomDirectory.joinOrCreate, no node, no client).
 * Median of runs; ratios room/raw. Writes bench/results/rooms-cluster.json.
 *
 * Run: node --import tsx --conditions=@hearth/source bench/roomsCluster.ts   (from packages/actor)
 * Env: BENCH_RUNS (3), BENCH_DURATION_MS (1500), BENCH_IN_FLIGHT (32), BENCH_JOINS (600).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Service } from '@hearth/net';
import { Login, RoomJoin, RoomJoinOrCreate, RoomSend, defineMessage } from '@hearth/protocol';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { driveLatency, driveThroughput, median, type EchoLinkFactory } from '../../net/bench/baselines.ts';
import { RedisBackplane } from '../src/cluster/RedisBackplane.ts';
import { RoomDirectory } from '../src/cluster/RoomDirectory.ts';
import { createNode, definePlayer, defineRoom, devAuthenticator } from '../src/index.ts';
import { startRedis } from '../src/testing/index.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 1500);
const IN_FLIGHT = Number(process.env['BENCH_IN_FLIGHT'] ?? 32);
const JOINS = Number(process.env['BENCH_JOINS'] ?? 600);
const LATENCY_ROUNDS = 1000;
const SIZE = 64;

type EchoBody = { t: number; data: Uint8Array };
const EchoRequest = defineMessage<EchoBody, EchoBody>(102, 'bench.echoRequest');
const Echo = defineRoom({ name: 'echo', maxPlayers: 100_000, emptyTimeout: false }).handle(EchoRequest, (_room, _m, body) => body);
const Quad = defineRoom({ name: 'quad', maxPlayers: 4, emptyTimeout: false });
const player = definePlayer();

async function gameNode(url: string, prefix: string, nodeId: string) {
  const backplane = new RedisBackplane({ url, keyPrefix: prefix, nodeId });
  await backplane.start();
  const limits = { rateLimit: false, maxConnectionsPerAddress: false, handshakeRatePerAddress: false } as const;
  const service = new Service({ log: false, limits });
  const node = await createNode({ service, player, rooms: [Echo, Quad], authenticate: devAuthenticator, backplane, roomFailover: false, logger: pino({ enabled: false }), listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }] });
  return {
    node,
    port: node.endpoints[0]!.port,
    close: async () => {
      await node.close();
      await service.close({ deadlineMs: 500 });
      await backplane.close();
    },
  };
}

/** A client on node A addressing the room (on node B) with room.send. */
function roomClient(clients: Service, portA: number, roomId: string): EchoLinkFactory {
  const data = new Uint8Array(SIZE).fill(7);
  let n = 0;
  return async (onEcho) => {
    const ref = await clients.connect(`tcp://127.0.0.1:${portA}`, 'msgpack', { reconnect: false });
    await ref.request(Login, { name: `bench${n++}` });
    await ref.request(RoomJoin, { roomId });
    return {
      send: (t: number) => void ref.request(RoomSend, [roomId, EchoRequest.type, { t, data }]).then((r) => onEcho((r as EchoBody).t), () => {}),
      close: () => ref.close('NORMAL'),
    };
  };
}

/** Raw Redis ping-pong: PUBLISH ping → a subscriber PUBLISHes pong → the first side's subscriber. */
function rawPingPong(url: string): EchoLinkFactory {
  let n = 0;
  return async (onEcho) => {
    const id = n++;
    const [pubA, subA, pubB, subB] = [new Redis(url), new Redis(url), new Redis(url), new Redis(url)];
    const data = Buffer.alloc(SIZE, 7);
    await subB.subscribe(`ping${id}`);
    await subA.subscribe(`pong${id}`);
    subB.on('messageBuffer', (_ch: Buffer, msg: Buffer) => void pubB.publish(`pong${id}`, msg));
    subA.on('messageBuffer', (_ch: Buffer, msg: Buffer) => onEcho(msg.readDoubleLE(0)));
    return {
      send: (t: number) => {
        const body = Buffer.concat([Buffer.alloc(8), data]);
        body.writeDoubleLE(t, 0);
        void pubA.publish(`ping${id}`, body);
      },
      close: () => {
        for (const r of [pubA, subA, pubB, subB]) r.disconnect();
      },
    };
  };
}

async function measure(factory: EchoLinkFactory) {
  const cpu = { usPerMsg: NaN };
  const msgsPerSec = await driveThroughput(factory, { connections: 1, inFlight: IN_FLIGHT, warmupMs: 200, durationMs: DURATION_MS, cpu });
  const { p50, p99 } = await driveLatency(factory, LATENCY_ROUNDS);
  return { msgsPerSec, p50, p99 };
}

/** joinOrCreate/s: `JOINS` distinct players on A, 32 joins in flight, rooms of 4 (a new room every 4th join). */
async function joinRate(clients: Service, port: number, tag: string): Promise<number> {
  const refs = await Promise.all(
    Array.from({ length: JOINS }, async (_, i) => {
      const ref = await clients.connect(`tcp://127.0.0.1:${port}`, 'msgpack', { reconnect: false });
      await ref.request(Login, { name: `${tag}${i}` });
      return ref;
    }),
  );
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < refs.length) await refs[next++]!.request(RoomJoinOrCreate, { kind: 'quad' });
    }),
  );
  const rate = JOINS / ((performance.now() - t0) / 1000);
  for (const ref of refs) ref.close('NORMAL');
  return rate;
}

/** The same Lua script, EVALSHA'd 32 at a time on one connection, no node around it. */
async function rawEvalRate(url: string, prefix: string, tag: string): Promise<number> {
  const r = new Redis(url);
  const dir = new RoomDirectory(r, prefix);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < JOINS) {
        const i = next++;
        await dir.joinOrCreate({ roomId: `${tag}${i}`, nodeId: 'raw', kind: `raw${tag}`, maxPlayers: 4, filter: '[]', options: '{}', private: false }, i);
      }
    }),
  );
  const rate = JOINS / ((performance.now() - t0) / 1000);
  r.disconnect();
  return rate;
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const a = await gameNode(redis.url, redis.prefix, 'bench-a');
  const b = await gameNode(redis.url, redis.prefix, 'bench-b');
  const clients = new Service({ log: false });
  // the echo room on B (created by a player on B), addressed by clients on A
  const owner = await clients.connect(`tcp://127.0.0.1:${b.port}`, 'msgpack', { reconnect: false });
  await owner.request(Login, { name: 'owner' });
  const { roomId } = await owner.request(RoomJoinOrCreate, { kind: 'echo' });
  if (b.node.rooms.get(roomId) === undefined) throw new Error('the echo room should run on node B');
  const room: Awaited<ReturnType<typeof measure>>[] = [];
  const raw: Awaited<ReturnType<typeof measure>>[] = [];
  const joins: number[] = [];
  const evals: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 === 0 ? ['raw', 'room'] : ['room', 'raw'];
    for (const side of order) {
      if (side === 'raw') raw.push(await measure(rawPingPong(redis.url)));
      else room.push(await measure(roomClient(clients, a.port, roomId)));
    }
    if (run % 2 === 0) {
      evals.push(await rawEvalRate(redis.url, redis.prefix, `e${run}-`));
      joins.push(await joinRate(clients, a.port, `j${run}-`));
    } else {
      joins.push(await joinRate(clients, a.port, `j${run}-`));
      evals.push(await rawEvalRate(redis.url, redis.prefix, `e${run}-`));
    }
  }
  owner.close('NORMAL');
  await clients.close({ deadlineMs: 500 });
  await a.close();
  await b.close();
  await redis[Symbol.asyncDispose]();
  const row = (name: string, s: typeof room) => ({
    name,
    msgsPerSec: Math.round(median(s.map((x) => x.msgsPerSec))),
    p50us: median(s.map((x) => x.p50)),
    p99us: median(s.map((x) => x.p99)),
    runs: s.map((x) => Math.round(x.msgsPerSec)),
  });
  const result = {
    benchmark: 'actor rooms across nodes: cross-node room round trip vs raw Redis ping-pong; joinOrCreate/s vs raw EVAL',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    config: { runs: RUNS, durationMs: DURATION_MS, inFlight: IN_FLIGHT, latencyRounds: LATENCY_ROUNDS, payloadBytes: SIZE, joins: JOINS, joinConcurrency: 32 },
    notes: [
      'one process: two game nodes (each its own RedisBackplane: 2 connections), the clients and a private redis-server on 127.0.0.1 (its own process); the machine is shared, so compare within a run',
      'room: a client on node A sends room.send to a room on node B: client→A TCP, A→Redis→B (node request), B→Redis→A (reply), A→client; raw: PUBLISH ping, a subscriber PUBLISHes pong, 4 ioredis connections',
      'throughput with one client/connection pair and inFlight outstanding; p50/p99 µs at one in flight; median of runs',
      'joinOrCreate: distinct players on node A, 32 requests in flight, rooms of 4 (every 4th join creates a room on A); rawEval: the same Lua script (RoomDirectory.joinOrCreate), 32 in flight on one connection',
    ],
    rows: [row('cross-node room.send round trip', room), row('raw Redis PUBLISH/SUBSCRIBE ping-pong', raw)],
    roomVsRaw: +median(room.map((r, i) => r.msgsPerSec / raw[i]!.msgsPerSec)).toFixed(2),
    roomVsRawLatency: +median(room.map((r, i) => raw[i]!.p50 / r.p50)).toFixed(2),
    joinOrCreatePerSec: Math.round(median(joins)),
    rawEvalPerSec: Math.round(median(evals)),
    joinVsEval: +median(joins.map((j, i) => j / evals[i]!)).toFixed(2),
    joinRuns: joins.map(Math.round),
    evalRuns: evals.map(Math.round),
  };
  const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/results/rooms-cluster.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
}

await main();
