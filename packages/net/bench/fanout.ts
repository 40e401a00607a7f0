/**
 * Fan-out write path: server CPU per client-tick when N sessions in groups of 16 each get, 20 times a
 * second, their group's state (one broadcast, encoded once) and one message of their own (pushed
 * in the same turn: both must leave in one socket write). Baseline in the same run: a raw
 * `node:net` server writing the same bytes (u32 frame header + the same msgpack batch) with one
 * `socket.write` per client per tick. The server runs in a child process (pinned to CPU 0 with
 * `taskset` when present), the clients in this one (CPU 1); rounds interleave the stacks, medians.
 *
 * `node --import tsx --conditions=@hearth/source bench/fanout.ts` — writes bench/results/fanout.json.
 * Env: FANOUT_CLIENTS (600), FANOUT_RUNS (3), FANOUT_SECONDS (5), FANOUT_MODES (raw,tcp,tcp-secure,ws),
 * FANOUT_BEFORE=DIR with FANOUT_BEFORE_MODES=ws,...: also runs those stacks' server from another
 * checkout of packages/net (DIR, with this file copied into its bench/) as `ws@before`, interleaved;
 * FANOUT_CLIENT=service: the Hearth stacks' clients are a Hearth client Service (decoding every
 * message) instead of raw sockets that do the protocol's handshake and then only count bytes, as the
 * raw stack's clients do (the default: the same receivers on every stack);
 * FANOUT_WRITE=0: no file; FANOUT_PROFILE=1: the server child runs with --cpu-prof (profiles in packages/net/bench/profiles/MODE, one per thread: the main one is the largest).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchWriter, defineMessage, encodeFrame } from '@hearth/protocol';
import { WebSocket } from 'ws';
import { Service, type SessionRef } from '../src/index.ts';
import { median } from './baselines.ts';

const GROUP = 16;
const HZ = 20;
const CLIENTS = Number(process.env['FANOUT_CLIENTS'] ?? 600);
const RUNS = Number(process.env['FANOUT_RUNS'] ?? 3);
const SECONDS = Number(process.env['FANOUT_SECONDS'] ?? 5);
type Mode = 'raw' | 'tcp' | 'tcp-secure' | 'ws';
const BEFORE = process.env['FANOUT_BEFORE'];
const MODES = [
  ...(process.env['FANOUT_MODES'] ?? 'raw,tcp,tcp-secure,ws').split(','),
  ...(BEFORE === undefined ? [] : (process.env['FANOUT_BEFORE_MODES'] ?? 'ws').split(',').map((m) => `${m}@before`)),
];

/** A group's state: 16 players' id, x, y (what a 20 Hz room tick sends). */
const State = defineMessage<{ tick: number; players: Array<[number, number, number]> }>(200, 'bench.state');
/** One client's own message in the same tick (an acknowledged move). */
const Ack = defineMessage<{ seq: number }>(201, 'bench.ack');

function stateOf(group: number, tick: number): { tick: number; players: Array<[number, number, number]> } {
  const players: Array<[number, number, number]> = [];
  for (let i = 0; i < GROUP; i++) players.push([group * GROUP + i, (tick * 7 + i * 13) % 1000, (tick * 3 + i * 29) % 1000]);
  return { tick, players };
}

// ---- server child ------------------------------------------------------------------------------

interface ServerReady {
  address: string;
}
interface Measured {
  cpuUs: number;
  ticks: number;
  clients: number;
  writes: number;
  bytes: number;
}

async function serverMain(mode: Mode): Promise<void> {
  const members: Array<Set<number>> = [];
  let tick = 0;
  let writes = 0;
  let bytes = 0;
  const stats = { writes: () => writes, bytes: () => bytes, clients: 0 };
  let onTick: () => void;
  let address: string;
  let close: () => Promise<void>;
  if (mode === 'raw') {
    // The floor: the same batch bytes a Hearth session sends, framed, one write per client per tick.
    const sockets: Socket[] = [];
    const server = createServer({ noDelay: true }, (socket) => {
      socket.on('error', () => {});
      sockets.push(socket);
      stats.clients = sockets.length;
    });
    await new Promise<void>((done) => server.listen({ host: '127.0.0.1', port: 0 }, done));
    const port = (server.address() as { port: number }).port;
    address = `tcp://127.0.0.1:${port}`;
    const stateWriter = new BatchWriter();
    const ackWriter = new BatchWriter();
    onTick = () => {
      tick++;
      for (let g = 0; g * GROUP < sockets.length; g++) {
        stateWriter.push(State.type, stateOf(g, tick));
        const state = stateWriter.take();
        const end = Math.min(sockets.length, (g + 1) * GROUP);
        for (let i = g * GROUP; i < end; i++) {
          ackWriter.push(Ack.type, { seq: tick });
          const ack = ackWriter.take();
          const frame = Buffer.allocUnsafe(4 + state.length + ack.length);
          frame.writeUInt32BE(state.length + ack.length, 0);
          frame.set(state, 4);
          frame.set(ack, 4 + state.length);
          sockets[i]!.write(frame);
          writes++;
          bytes += frame.length;
        }
        stateWriter.clear();
      }
    };
    close = () =>
      new Promise((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      });
  } else {
    const service = new Service({ log: false, limits: { rateLimit: false, maxConnections: 100_000, maxConnectionsPerAddress: false, handshakeRatePerAddress: false } });
    const refs: SessionRef[] = [];
    service.sub('open', (ref) => {
      const g = Math.floor(refs.length / GROUP);
      (members[g] ??= new Set()).add(ref.id);
      refs.push(ref);
      stats.clients = refs.length;
    });
    const proto = mode === 'tcp-secure' ? 'msgpack+nacl' : 'msgpack';
    const acceptor = await service.accept(mode === 'ws' ? 'ws://127.0.0.1:0' : 'tcp://127.0.0.1:0', proto);
    address = acceptor.address;
    onTick = () => {
      tick++;
      for (let g = 0; g < members.length; g++) {
        const ids = members[g]!;
        service.broadcast(ids, State, stateOf(g, tick));
        const end = Math.min(refs.length, (g + 1) * GROUP);
        for (let i = g * GROUP; i < end; i++) refs[i]!.send(Ack, { seq: tick });
      }
    };
    stats.writes = () => service.stats().writes;
    stats.bytes = () => service.stats().bytesOut;
    close = () => service.close({ deadlineMs: 500 });
  }
  const timer = setInterval(() => onTick(), 1000 / HZ);
  process.on('message', (msg: { measure?: number; stop?: true }) => {
    if (msg.measure !== undefined) {
      const cpu0 = process.cpuUsage();
      const t0 = tick;
      const w0 = stats.writes();
      const b0 = stats.bytes();
      setTimeout(() => {
        const cpu = process.cpuUsage(cpu0);
        const m: Measured = { cpuUs: cpu.user + cpu.system, ticks: tick - t0, clients: stats.clients, writes: stats.writes() - w0, bytes: stats.bytes() - b0 };
        process.send!(m);
      }, msg.measure);
    } else if (msg.stop === true) {
      clearInterval(timer);
      void close().then(() => process.exit(0));
    }
  });
  process.send!({ address } satisfies ServerReady);
}

// ---- driver (this process) -----------------------------------------------------------------------

interface Clients {
  received(): number;
  close(): Promise<void>;
}

async function openRaw(address: string, n: number): Promise<Clients> {
  const port = Number(address.split(':').pop());
  const sockets: Socket[] = [];
  let received = 0;
  for (let i = 0; i < n; i++) {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    await new Promise<void>((done, fail) => socket.once('connect', done).once('error', fail));
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    sockets.push(socket);
  }
  return {
    received: () => received,
    close: () => {
      for (const s of sockets) s.destroy();
      return Promise.resolve();
    },
  };
}

async function openHearth(address: string, mode: Mode, n: number): Promise<Clients> {
  const client = new Service({ log: false, limits: { maxConnections: 100_000 } });
  const proto = mode === 'tcp-secure' ? 'msgpack+nacl' : 'msgpack';
  for (let i = 0; i < n; i++) await client.connect(address, proto, { reconnect: false });
  return {
    received: () => client.stats().bytesIn,
    close: () => client.close({ deadlineMs: 500 }),
  };
}

/**
 * Raw receivers for a Hearth stack: each does the protocol's client handshake (hello, reply) on a
 * plain socket or a `ws` client, then only counts bytes, like the raw stack's receivers.
 */
async function openHearthRaw(address: string, mode: Mode, n: number): Promise<Clients> {
  const registry = new Service({ log: false }).protocols;
  const factory = registry.get(mode === 'tcp-secure' ? 'msgpack+nacl' : 'msgpack');
  let received = 0;
  const closers: Array<() => void> = [];
  for (let i = 0; i < n; i++) {
    const handshake = factory.client({});
    if (mode === 'ws') {
      const ws = new WebSocket(address, { perMessageDeflate: false });
      await new Promise<void>((done, fail) => ws.once('open', () => done()).once('error', fail));
      const opened = new Promise<void>((done) => ws.once('message', (data: Buffer) => (handshake.receive(data), done())));
      ws.send(handshake.hello());
      await opened;
      ws.on('message', (data: Buffer) => (received += data.length));
      closers.push(() => ws.terminate());
      continue;
    }
    const socket = connect({ host: '127.0.0.1', port: Number(address.split(':').pop()), noDelay: true });
    await new Promise<void>((done, fail) => socket.once('connect', done).once('error', fail));
    socket.write(encodeFrame(handshake.hello()));
    let head = Buffer.alloc(0);
    await new Promise<void>((done) => {
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        if (head.length < 4 || head.length < 4 + head.readUInt32BE(0)) return;
        const len = head.readUInt32BE(0);
        handshake.receive(head.subarray(4, 4 + len));
        received += head.length - 4 - len;
        socket.off('data', onData);
        socket.on('data', (c: Buffer) => (received += c.length));
        done();
      };
      socket.on('data', onData);
    });
    closers.push(() => socket.destroy());
  }
  return {
    received: () => received,
    close: () => {
      for (const close of closers) close();
      return Promise.resolve();
    },
  };
}

function ask<T>(child: ChildProcess, message: object): Promise<T> {
  return new Promise((done) => {
    child.once('message', (m) => done(m as T));
    child.send(message);
  });
}

interface Sample {
  mode: string;
  usPerClientTick: number;
  writesPerClientTick: number;
  bytesPerClientTick: number;
  clientReceivedPerClientTick: number;
}

async function round(name: string, profileDir: string | undefined): Promise<Sample> {
  const mode = name.replace('@before', '') as Mode;
  const here = name.endsWith('@before') ? resolve(BEFORE!, 'bench/fanout.ts') : fileURLToPath(import.meta.url);
  const execArgv = ['--import', 'tsx', '--conditions=@hearth/source'];
  if (profileDir !== undefined) execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}/${name}`);
  const child = fork(here, ['server', mode], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (pinnable && child.pid !== undefined) execFileSync('taskset', ['-cp', '0', String(child.pid)], { stdio: 'ignore' });
  const ready = await new Promise<ServerReady>((done) => child.once('message', (m) => done(m as ServerReady)));
  const clients =
    mode === 'raw'
      ? await openRaw(ready.address, CLIENTS)
      : process.env['FANOUT_CLIENT'] === 'service'
        ? await openHearth(ready.address, mode, CLIENTS)
        : await openHearthRaw(ready.address, mode, CLIENTS);
  await sleep(1000); // warm-up: every client connected, a few ticks sent
  const r0 = clients.received();
  const m = await ask<Measured>(child, { measure: SECONDS * 1000 });
  const received = clients.received() - r0;
  await clients.close();
  const exited = new Promise((done) => child.once('exit', done));
  child.send({ stop: true });
  await exited;
  const clientTicks = m.ticks * m.clients;
  return {
    mode: name,
    usPerClientTick: m.cpuUs / clientTicks,
    writesPerClientTick: m.writes / clientTicks,
    bytesPerClientTick: m.bytes / clientTicks,
    clientReceivedPerClientTick: received / clientTicks,
  };
}

const pinnable = existsSync('/usr/bin/taskset') && cpus().length >= 2;

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

async function main(): Promise<void> {
  const started = performance.now();
  if (pinnable) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const here = dirname(fileURLToPath(import.meta.url));
  const profileDir = process.env['FANOUT_PROFILE'] === '1' ? resolve(here, 'profiles') : undefined;
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
  const samples = new Map<string, Sample[]>();
  for (let run = 0; run < RUNS; run++) {
    for (const mode of MODES) {
      const s = await round(mode, profileDir);
      samples.set(mode, [...(samples.get(mode) ?? []), s]);
      process.stderr.write(`run ${run + 1}/${RUNS} ${mode}: ${s.usPerClientTick.toFixed(2)} µs/client-tick, ${s.writesPerClientTick.toFixed(2)} writes\n`);
    }
  }
  const rows = MODES.map((mode) => {
    const s = samples.get(mode)!;
    const us = median(s.map((x) => x.usPerClientTick));
    return {
      mode,
      usPerClientTick: +us.toFixed(2),
      usPerClientSecond: +(us * HZ).toFixed(1),
      writesPerClientTick: +median(s.map((x) => x.writesPerClientTick)).toFixed(3),
      bytesPerClientTick: +median(s.map((x) => x.bytesPerClientTick)).toFixed(1),
      clientReceivedBytesPerClientTick: +median(s.map((x) => x.clientReceivedPerClientTick)).toFixed(1),
      runs: s.map((x) => +x.usPerClientTick.toFixed(2)),
    };
  });
  const raw = rows.find((r) => r.mode === 'raw');
  const table = rows.map((r) => ({ ...r, vsRaw: raw === undefined ? null : +(r.usPerClientTick / raw.usPerClientTick).toFixed(2) }));
  const result = {
    benchmark: 'net fan-out: server CPU per client-tick',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    load: (await import('node:os')).loadavg().map((l) => +l.toFixed(2)),
    config: { clients: CLIENTS, group: GROUP, hz: HZ, seconds: SECONDS, runs: RUNS, pinned: pinnable, client: process.env['FANOUT_CLIENT'] === 'service' ? 'service' : 'raw', ...(BEFORE === undefined ? {} : { before: process.env['FANOUT_BEFORE_LABEL'] ?? BEFORE }) },
    notes:
      'each tick: per group of 16 one broadcast of the group state (16 × [id, x, y], encoded once) and one own push per client, in the same turn; raw = node:net writing the same batch bytes framed, one write per client per tick; server in a child process (CPU 0 when pinned), clients here (CPU 1): raw sockets counting bytes on every stack (the Hearth ones after the protocol handshake) unless config.client says service; usPerClientTick = server CPU (user + system) / (ticks × clients); vsRaw = hearth ÷ raw (lower is better); medians of runs, stacks interleaved; the machine is shared',
    rows: table,
    totalSeconds: +((performance.now() - started) / 1000).toFixed(1),
  };
  const out = resolve(here, '../../../bench/results/fanout.json');
  if (process.env['FANOUT_WRITE'] !== '0') writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.table(table.map(({ runs: _runs, ...r }) => r));
  console.log(`wrote ${out}`);
}

if (process.argv[2] === 'server') await serverMain(process.argv[3] as Mode);
else await main();
