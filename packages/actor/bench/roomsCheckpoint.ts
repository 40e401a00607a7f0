/**
 * Checkpoint cost (issue 11, item 4): µs per checkpoint per room, for a small state and a 200-entity
 * state (plain data and a `@hearth/state` sync room), through the real Checkpointer (checkpointOf,
 * msgpack encode, one fenced EVALSHA+SET per room, one pipeline per round) against a private
 * Redis; beside it, in the same run, a raw pipelined SET loop of the same bytes (the floor: what
 * Redis and the connection cost without the room layer). Median of runs; writes
 * bench/results/rooms-checkpoint.json.
 *
 * Env: BENCH_RUNS (3), BENCH_ROOMS (200), BENCH_ROUNDS (50).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Service } from '@hearth/net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { StateEncoder, f32, map, string, struct, u16, u32 } from '../../state/src/index.ts';
import { createNode, definePlayer, defineRoom, devAuthenticator } from '../src/index.ts';
import { Checkpointer } from '../src/room/checkpoint/Checkpointer.ts';
import { checkpointOf } from '../src/room/checkpoint/checkpointOf.ts';
import { encodeCheckpoint } from '../src/room/checkpoint/checkpointCodec.ts';
import { RedisRoomStore } from '../src/room/checkpoint/RedisRoomStore.ts';
import { newFailoverStats } from '../src/room/checkpoint/RoomFailoverStats.ts';
import type { RoomInstance } from '../src/room/RoomInstance.ts';
import { startRedis } from '../src/testing/index.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const ROOMS = Number(process.env['BENCH_ROOMS'] ?? 200);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 50);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const Entity = struct({ x: f32, y: f32, vx: f32, vy: f32, hp: u16, name: string });
const World = struct({ entities: map(string, Entity), tick: u32 });
const entities = () => Array.from({ length: 200 }, (_, i) => [`e${i}`, { x: i, y: i * 2, vx: 1.5, vy: -0.5, hp: 100, name: `entity-${i}` }] as const);
const kinds = [
  defineRoom({ name: 'small', maxPlayers: 8, emptyTimeout: false, state: () => ({ score: [3, 4], turn: 7, phase: 'playing' }) }),
  defineRoom({ name: 'plain200', maxPlayers: 8, emptyTimeout: false, state: () => ({ entities: Object.fromEntries(entities()), tick: 0 }) }),
  defineRoom({ name: 'sync200', maxPlayers: 8, emptyTimeout: false, sync: () => new StateEncoder(World, { entities: new Map(entities()), tick: 0 }) }),
];

async function main(): Promise<void> {
  await using redis = await startRedis();
  const service = new Service({ log: false });
  const node = await createNode({ service, player: definePlayer(), authenticate: devAuthenticator, rooms: kinds, logger: pino({ enabled: false }) });
  const conn = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  const store = new RedisRoomStore(conn, redis.prefix);
  const rows = [];
  for (const kind of kinds) {
    const rooms: RoomInstance[] = [];
    for (let i = 0; i < ROOMS; i++) rooms.push(node.rooms.instance((await node.rooms.create(kind.name)).id)!);
    const stats = newFailoverStats();
    const cp = new Checkpointer(store, 'bench-node', pino({ enabled: false }), stats);
    const bytes = encodeCheckpoint(checkpointOf(rooms[0]!, 'bench-node', 1, Date.now()));
    const body = Buffer.from(bytes);
    const viaRoom: number[] = [];
    const encodeOnly: number[] = [];
    const rawSet: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      // 1. the room layer: mark every room, one flush (one pipeline) per round
      let t = performance.now();
      for (let r = 0; r < ROUNDS; r++) {
        for (const room of rooms) cp.mark(room);
        await cp.flush();
      }
      viaRoom.push(((performance.now() - t) * 1000) / (ROUNDS * ROOMS));
      // 2. CPU only: checkpointOf + encode
      t = performance.now();
      for (let r = 0; r < ROUNDS; r++) for (const room of rooms) encodeCheckpoint(checkpointOf(room, 'bench-node', 1, Date.now()));
      encodeOnly.push(((performance.now() - t) * 1000) / (ROUNDS * ROOMS));
      // 3. baseline: raw pipelined SET of the same bytes, one pipeline per round
      t = performance.now();
      for (let r = 0; r < ROUNDS; r++) {
        const p = conn.pipeline();
        for (const room of rooms) p.set(`${redis.prefix}raw:${room.id}`, body);
        await p.exec();
      }
      rawSet.push(((performance.now() - t) * 1000) / (ROUNDS * ROOMS));
    }
    if (stats.written !== RUNS * ROUNDS * ROOMS) throw new Error(`only ${stats.written} of ${RUNS * ROUNDS * ROOMS} checkpoints written (fenced ${stats.fenced}, failed ${stats.failed})`);
    rows.push({
      room: kind.name,
      checkpointBytes: bytes.length,
      usPerCheckpoint: +median(viaRoom).toFixed(2),
      usEncodeOnly: +median(encodeOnly).toFixed(2),
      usRawSet: +median(rawSet).toFixed(2),
      vsRawSet: +median(viaRoom.map((v, i) => v / rawSet[i]!)).toFixed(2),
      runs: viaRoom.map((v) => +v.toFixed(2)),
    });
    for (const room of rooms) room.handOff(); // no release traffic
  }
  await conn.quit();
  await node.close();
  await service.close({ deadlineMs: 500 });
  const result = {
    benchmark: 'actor rooms: checkpoint cost per room',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    config: { runs: RUNS, rooms: ROOMS, rounds: ROUNDS },
    notes: [
      'usPerCheckpoint: wall µs per room checkpoint through the Checkpointer (checkpointOf + msgpack encode + one fenced EVALSHA/SET per room, one pipeline for all rooms per round), private redis-server on 127.0.0.1, median of runs',
      'usEncodeOnly: CPU µs of checkpointOf + encode alone; usRawSet: baseline, a raw pipelined SET of the same bytes per room (same run); vsRawSet: ratio, median over runs',
      'per tick: a room checkpointed every checkpointEvery ticks (default 20) costs usPerCheckpoint / 20 per tick; the node main thread pays the encode part, Redis the rest',
      'small: a 3-field state; plain200: 200 entities as plain data; sync200: the same 200 entities in a @hearth/state StateEncoder (checkpoint = full())',
    ],
    rows,
  };
  const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/results/rooms-checkpoint.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(rows, null, 2));
}

await main();
