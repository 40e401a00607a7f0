/**
 * One measured point: a stack's server in its own process, `n` clients split across driver
 * processes, a warm-up, then a window over which the server's CPU (/proc utime+stime), its socket
 * writes (wchar: the bytes clients receive, framing included) and the drivers' counters are taken.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Histogram } from './Histogram.ts';
import type { DriverJob, DriverReport, FromDriver, ToDriver } from './ipc.ts';
import { loadAverage, sample } from './proc.ts';
import { TS_FLAGS, startServer, type Stack } from './stacks.ts';

export interface PointOptions {
  n: number;
  drivers: number;
  warmupMs: number;
  windowMs: number;
  sync: 'snapshot' | 'state';
  /** Node flags for the server (profiling). */
  serverFlags?: string[];
  cwd?: string;
}

export interface Point {
  stack: string;
  n: number;
  /** Clients playing through the window (all drivers). */
  playing: number;
  joinFailed: number;
  seconds: number;
  serverUsPerClientSec: number;
  serverCores: number;
  updatesPerClientSec: number;
  movesPerClientSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Bytes the server wrote per client-second (all of it to clients: what clients receive on the wire). */
  wireBytesPerClientSec: number;
  /** Hearth: message body bytes clients counted, per client-second (no framing). */
  bodyBytesPerClientSec: number | null;
  serverRssMB: number;
  /** The server's write(2)/writev(2) and read(2) system calls per client-second (/proc/PID/io). */
  serverWritesPerClientSec: number;
  /** The part of the server's CPU spent in the kernel (stime ÷ utime+stime). */
  serverSysShare: number;
  serverReadsPerClientSec: number;
  driverCores: number;
  driverUsPerClientSec: number;
  loadAvg: number;
  errors: Record<string, number>;
  /** The measured window on CLOCK_MONOTONIC, µs (to cut a server `--cpu-prof` to it). */
  windowMonoUs: [number, number];
}

const driverPath = fileURLToPath(new URL('./driver.ts', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function next<T extends FromDriver['type']>(child: ChildProcess, type: T, timeoutMs: number): Promise<Extract<FromDriver, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`driver: no ${type} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMsg = (m: FromDriver): void => {
      if (m.type !== type) return;
      cleanup();
      resolve(m as Extract<FromDriver, { type: T }>);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`driver exited (${code}) before ${type}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMsg);
      child.off('exit', onExit);
    };
    child.on('message', onMsg);
    child.once('exit', onExit);
  });
}

export async function measurePoint(stack: Stack, o: PointOptions): Promise<Point> {
  const server = await startServer(stack, { sync: o.sync, nodeFlags: o.serverFlags ?? [], ...(o.cwd !== undefined && { cwd: o.cwd }) });
  const drivers: ChildProcess[] = [];
  try {
    const per = Math.ceil(o.n / o.drivers);
    for (let first = 0; first < o.n; first += per) {
      const job: DriverJob = {
        stack: stack.kind,
        url: server.url,
        ...(stack.protocol !== undefined && { protocol: stack.protocol }),
        ...(server.serverKey !== undefined && { serverKey: server.serverKey }),
        sync: o.sync,
        clients: Math.min(per, o.n - first),
        first,
        concurrency: 32,
      };
      drivers.push(fork(driverPath, [JSON.stringify(job)], { execArgv: TS_FLAGS, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    }
    const joinTimeout = 60_000 + o.n * 150;
    const ready = await Promise.all(drivers.map((c) => next(c, 'ready', joinTimeout)));
    const joinFailed = ready.reduce((s, r) => s + r.failed, 0);
    if (joinFailed > 0) {
      const why: Record<string, number> = {};
      for (const r of ready) for (const [k, v] of Object.entries(r.errors)) why[k] = (why[k] ?? 0) + v;
      console.log(`  ${stack.id} N=${o.n}: ${joinFailed} joins failed: ${JSON.stringify(why)}`);
    }
    await sleep(o.warmupMs);
    const s0 = sample(server.pid);
    const t0 = performance.now();
    const mono0 = Number(process.hrtime.bigint() / 1000n);
    for (const c of drivers) c.send({ type: 'mark' } satisfies ToDriver);
    await sleep(o.windowMs);
    const s1 = sample(server.pid);
    const mono1 = Number(process.hrtime.bigint() / 1000n);
    const seconds = (performance.now() - t0) / 1000;
    const load = loadAverage();
    for (const c of drivers) c.send({ type: 'report' } satisfies ToDriver);
    const reports: DriverReport[] = await Promise.all(drivers.map((c) => next(c, 'report', 30_000)));
    return { ...summarize(stack, o, reports, joinFailed, seconds, s1.cpuUs - s0.cpuUs, s1.wchar - s0.wchar, s1.rss, load, s1.syscw - s0.syscw, s1.syscr - s0.syscr, s1.sysUs - s0.sysUs), windowMonoUs: [mono0, mono1] };
  } finally {
    for (const c of drivers) if (c.connected) c.send({ type: 'stop' } satisfies ToDriver);
    await Promise.all(
      drivers.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const t = setTimeout(() => c.kill('SIGKILL'), 5000);
            c.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
          }),
      ),
    );
    await server.stop();
  }
}

function summarize(
  stack: Stack,
  o: PointOptions,
  reports: DriverReport[],
  joinFailed: number,
  seconds: number,
  serverCpuUs: number,
  wchar: number,
  rss: number,
  loadAvg: number,
  syscw: number,
  syscr: number,
  sysUs: number,
): Omit<Point, 'windowMonoUs'> {
  const playing = reports.reduce((s, r) => s + r.playing, 0);
  const hist = new Histogram();
  for (const r of reports) hist.merge({ bins: r.delays });
  const sum = (f: (r: DriverReport) => number): number => reports.reduce((s, r) => s + f(r), 0);
  const driverSecs = sum((r) => r.seconds) / Math.max(1, reports.length);
  const clientSecs = Math.max(1, playing) * seconds;
  const errors: Record<string, number> = {};
  for (const r of reports) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  const body = sum((r) => r.bodyBytesIn);
  return {
    stack: stack.id,
    n: o.n,
    playing,
    joinFailed,
    seconds,
    serverUsPerClientSec: serverCpuUs / clientSecs,
    serverCores: serverCpuUs / 1e6 / seconds,
    updatesPerClientSec: sum((r) => r.updates) / (Math.max(1, playing) * driverSecs),
    movesPerClientSec: sum((r) => r.movesSent) / (Math.max(1, playing) * driverSecs),
    p50Ms: hist.quantile(0.5),
    p99Ms: hist.quantile(0.99),
    wireBytesPerClientSec: wchar / clientSecs,
    bodyBytesPerClientSec: stack.kind === 'hearth' ? body / (Math.max(1, playing) * driverSecs) : null,
    serverRssMB: rss / 2 ** 20,
    serverWritesPerClientSec: syscw / clientSecs,
    serverReadsPerClientSec: syscr / clientSecs,
    serverSysShare: sysUs / Math.max(1, serverCpuUs),
    driverCores: sum((r) => r.cpuUs) / 1e6 / driverSecs,
    driverUsPerClientSec: sum((r) => r.cpuUs) / (Math.max(1, playing) * driverSecs),
    loadAvg,
    errors,
  };
}
