/**
 * Failover timing (issue 11, item 4), with real processes: 3 node processes on a private
 * redis-server (heartbeat 100 ms, lease 300 ms, failover round every 100 ms), ROOMS rooms with a
 * player each spread over them. SIGKILL one: time from the kill to each of its rooms restored on
 * a survivor (p50/p99) and the state age lost (kill time − the restored checkpoint's time: what
 * the room forgets). Then SIGTERM another: time from the signal to each room restored elsewhere,
 * and its state age at the handoff. Baseline in the same run: the detection window (the lease
 * plus one failover round: a crash goes unnoticed this long at most after the node's last beat). Median of runs; writes bench/results/rooms-failover.json.
 *
 * Env: BENCH_RUNS (3), BENCH_ROOMS (30).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RoomCreate } from '@hearth/protocol';
import { decodeCheckpoint } from '../src/room/checkpoint/checkpointCodec.ts';
import { RedisRoomStore } from '../src/room/checkpoint/RedisRoomStore.ts';
import type { RestoredRoom } from '../src/room/checkpoint/RoomFailover.ts';
import { startRedis } from '../src/testing/index.ts';
import { rawClient } from '../test/cluster/helpers.ts';
import { cleanup } from '../test/helpers.ts';
import { Add } from '../test/rooms/failoverRooms.ts';
import { startNodeProcess, type NodeProcess } from '../test/rooms/nodeProcess.ts';
import { player, toRoom } from '../test/rooms/roomServer.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const ROOMS = Number(process.env['BENCH_ROOMS'] ?? 30);
const LEASE_MS = 300; // failoverNode.ts: heartbeat 100 ms × 3
const CHECK_MS = 100;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const median = (xs: number[]): number => pct(xs, 50);

async function restoredOf(nodes: NodeProcess[], roomId: string): Promise<RestoredRoom> {
  const match = (e: Record<string, unknown>) => (e['restored'] as RestoredRoom | undefined)?.roomId === roomId;
  const e = await Promise.race(nodes.map((n) => n.event(match, 60_000)));
  return e['restored'] as RestoredRoom;
}

async function run(): Promise<{ kill: number[]; killAge: number[]; term: number[]; termAge: number[]; drainMs: number }> {
  await using redis = await startRedis();
  const nodes = await Promise.all(['b1', 'b2', 'b3'].map((id) => startNodeProcess(redis, id)));
  try {
    await using r = rawClient(redis);
    const store = new RedisRoomStore(r, redis.prefix);
    const byNode = new Map<string, string[]>(nodes.map((n) => [n.nodeId, []]));
    for (let i = 0; i < ROOMS; i++) {
      const n = nodes[i % nodes.length]!;
      const c = await player(n.port, `bench${i}`);
      const { roomId } = await c.ref.request(RoomCreate, { kind: 'counter' });
      await toRoom(c, roomId, Add, { n: i });
      byNode.get(n.nodeId)!.push(roomId);
    }
    // every room checkpointed at least once with its player's change (then periodic ones follow)
    for (const id of [...byNode.values()].flat()) {
      for (let i = 0; ; i++) {
        const bytes = await r.getBuffer(store.checkpointKey(id));
        if (bytes !== null && decodeCheckpoint(bytes).tick >= 5) break;
        if (i > 2_000) throw new Error(`room ${id} never checkpointed`);
        await new Promise((done) => setTimeout(done, 10));
      }
    }
    await new Promise((done) => setTimeout(done, 500)); // periodic checkpoints under way
    const [n1, n2, n3] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    const killAt = Date.now();
    n2.signal('SIGKILL');
    await n2.exited;
    const killed = await Promise.all(byNode.get('b2')!.map((id) => restoredOf([n1, n3], id)));
    const moved = new Set<string>();
    for (const e of killed) if (e.how === 'claimed') moved.add(e.roomId);
    const onN3: string[] = [];
    for (const id of [...byNode.values()].flat()) {
      const owner = (await store.read(id)).owner;
      if (owner?.nodeId === 'b3') onN3.push(id);
    }
    const termAt = Date.now();
    n3.signal('SIGTERM');
    await n3.exited;
    const drained = (await n3.event((e) => 'drained' in e))['drained'] as { ms: number };
    const handed = await Promise.all(onN3.map((id) => restoredOf([n1], id)));
    return {
      kill: killed.map((e) => e.restoredAt - killAt),
      killAge: killed.map((e) => killAt - e.checkpointAt),
      term: handed.map((e) => e.restoredAt - termAt),
      termAge: handed.map((e) => e.checkpointAt - termAt),
      drainMs: drained.ms,
    };
  } finally {
    await cleanup();
    for (const n of nodes) n.signal('SIGKILL');
    await Promise.all(nodes.map((n) => n.exited));
  }
}

const runs: Array<Awaited<ReturnType<typeof run>>> = [];
for (let i = 0; i < RUNS; i++) {
  runs.push(await run());
  console.log(`run ${i + 1}/${RUNS} done`);
}
const stat = (pick: (x: (typeof runs)[number]) => number[], p: number) => median(runs.map((x) => pct(pick(x), p)));
const result = {
  benchmark: 'actor rooms: failover (kill to restored) and drain (SIGTERM to restored), real processes',
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadAverage: loadavg().map((l) => +l.toFixed(1)),
  config: { runs: RUNS, rooms: ROOMS, nodes: 3, leaseMs: LEASE_MS, failoverCheckMs: CHECK_MS, tickHz: 20, checkpointEveryTicks: 5 },
  notes: [
    '3 node processes (test/rooms/failoverNode.ts under node --import tsx, sources), private redis-server, 127.0.0.1; rooms spread round robin, one player each',
    'SIGKILL: kill → restored = restore time on the survivor (its wall clock) − kill time (this process); stateAgeLost = kill time − the restored checkpoint time (checkpoints every 5 ticks at 20 Hz = 250 ms, and on membership/lock/metadata/phase changes)',
    'SIGTERM: term → restored = restore time on the target − signal time (includes the drain: final checkpoint, ownership move, target restore); stateAgeAtHandoff = checkpoint time − signal time (>= 0: the final checkpoint is taken after the signal, no state is lost)',
    'baseline (same config): detectionWindowMs = lease + one failover round: the longest a crash goes unnoticed after the node\'s last beat (the kill lands up to one heartbeat after it, so ~lease − 50 + 50 ms is expected); killVsWindow = kill → restored p50 / window',
    'percentiles per run, median over runs; not asserted in tests',
  ],
  sigkill: {
    restoredP50Ms: stat((x) => x.kill, 50),
    restoredP99Ms: stat((x) => x.kill, 99),
    stateAgeLostP50Ms: stat((x) => x.killAge, 50),
    stateAgeLostP99Ms: stat((x) => x.killAge, 99),
    rooms: runs.map((x) => x.kill.length),
  },
  sigterm: {
    restoredP50Ms: stat((x) => x.term, 50),
    restoredP99Ms: stat((x) => x.term, 99),
    stateAgeAtHandoffMinMs: median(runs.map((x) => Math.min(...x.termAge))),
    drainMs: median(runs.map((x) => x.drainMs)),
    rooms: runs.map((x) => x.term.length),
  },
  baseline: { detectionWindowMs: LEASE_MS + CHECK_MS },
  killVsWindow: +(stat((x) => x.kill, 50) / (LEASE_MS + CHECK_MS)).toFixed(2),
};
const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/results/rooms-failover.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
process.exit(0);
