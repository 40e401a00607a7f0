/** The medians across rounds, the verdicts (SLO, clients per core) and the printed table. */
import type { Point } from './measure.ts';

/** Service level: every client gets ≥ 19 state updates a second, and p99 move→update delay < 100 ms. */
export const SLO = { minUpdatesPerSec: 19, maxP99Ms: 100 } as const;

export function meetsSlo(p: Point): boolean {
  return p.joinFailed === 0 && p.playing === p.n && p.updatesPerClientSec >= SLO.minUpdatesPerSec && p.p99Ms < SLO.maxP99Ms;
}

function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface MedianPoint {
  stack: string;
  n: number;
  rounds: number;
  serverUsPerClientSec: number;
  clientsPerCore: number;
  updatesPerClientSec: number;
  p50Ms: number;
  p99Ms: number;
  wireBytesPerClientSec: number;
  bodyBytesPerClientSec: number | null;
  serverRssMB: number;
  driverCores: number;
  driverUsPerClientSec: number;
  /** The server's kernel share of its CPU, and its write/read system calls per client-second. */
  serverSysShare: number;
  serverWritesPerClientSec: number;
  serverReadsPerClientSec: number;
  /** This stack ÷ the floor stack (raw-tcp) at the same N: server CPU and wire bytes (null without a floor point). */
  cpuOverFloor: number | null;
  bytesOverFloor: number | null;
  /**
   * Both this point and the floor's kept the game's rates (≥ 19 updates a second): only then do the ratios compare
   * equal work (a server that falls behind writes fewer, fuller updates). The table puts the others in parentheses.
   */
  floorComparable: boolean;
  slo: boolean;
}

/** Per stack and N: the median of each figure over the rounds that measured it; ratios to `floor` at the same N. */
export function medians(points: Point[], floor?: string): MedianPoint[] {
  const groups = new Map<string, Point[]>();
  for (const p of points) {
    const k = `${p.stack}\u0000${p.n}`;
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const out: MedianPoint[] = [];
  for (const ps of groups.values()) {
    const m = (f: (p: Point) => number): number => median(ps.map(f));
    const us = m((p) => p.serverUsPerClientSec);
    const body = ps[0]!.bodyBytesPerClientSec === null ? null : m((p) => p.bodyBytesPerClientSec ?? NaN);
    out.push({
      stack: ps[0]!.stack,
      n: ps[0]!.n,
      rounds: ps.length,
      serverUsPerClientSec: us,
      clientsPerCore: 1e6 / us,
      updatesPerClientSec: m((p) => p.updatesPerClientSec),
      p50Ms: m((p) => p.p50Ms),
      p99Ms: m((p) => p.p99Ms),
      wireBytesPerClientSec: m((p) => p.wireBytesPerClientSec),
      bodyBytesPerClientSec: body,
      serverRssMB: m((p) => p.serverRssMB),
      driverCores: m((p) => p.driverCores),
      driverUsPerClientSec: m((p) => p.driverUsPerClientSec),
      serverSysShare: m((p) => p.serverSysShare),
      serverWritesPerClientSec: m((p) => p.serverWritesPerClientSec),
      serverReadsPerClientSec: m((p) => p.serverReadsPerClientSec),
      cpuOverFloor: null,
      bytesOverFloor: null,
      floorComparable: false,
      // A point meets the SLO when most of its rounds did.
      slo: ps.filter(meetsSlo).length * 2 > ps.length,
    });
  }
  for (const x of out) {
    const f = out.find((o) => o.stack === floor && o.n === x.n);
    if (f === undefined) continue;
    x.cpuOverFloor = x.serverUsPerClientSec / f.serverUsPerClientSec;
    x.bytesOverFloor = x.wireBytesPerClientSec / f.wireBytesPerClientSec;
    x.floorComparable = Math.min(x.updatesPerClientSec, f.updatesPerClientSec) >= SLO.minUpdatesPerSec;
  }
  return out.sort((a, b) => a.stack.localeCompare(b.stack) || a.n - b.n);
}

/**
 * Per stack: the largest N meeting the SLO, and clients per core (10⁶ ÷ server µs per client-second)
 * at the largest N where the server kept its rates (≥ 19 updates a second): a server that falls
 * behind does less work per client, so its CPU per client would flatter it (null when none did).
 */
export function verdicts(ms: MedianPoint[]): Record<string, { maxSustainedN: number | null; clientsPerCore: number | null; atN: number | null }> {
  const out: Record<string, { maxSustainedN: number | null; clientsPerCore: number | null; atN: number | null }> = {};
  for (const m of ms) {
    const v = (out[m.stack] ??= { maxSustainedN: null, clientsPerCore: null, atN: null });
    if (m.slo && (v.maxSustainedN === null || m.n > v.maxSustainedN)) v.maxSustainedN = m.n;
    if (m.updatesPerClientSec >= SLO.minUpdatesPerSec && (v.atN === null || m.n >= v.atN)) {
      v.atN = m.n;
      v.clientsPerCore = m.clientsPerCore;
    }
  }
  return out;
}

const f0 = (x: number | null): string => (x === null || !Number.isFinite(x) ? '-' : Math.round(x).toLocaleString('en-US'));
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x: number | null, comparable: boolean): string => (x === null || !Number.isFinite(x) ? '-' : comparable ? x.toFixed(2) : `(${x.toFixed(2)})`);

export function table(ms: MedianPoint[]): string {
  const head = ['stack', 'N', 'srv µs/cl·s', 'sys %', 'CPU ÷ floor', 'cl/core', 'upd/s', 'p50 ms', 'p99 ms', 'B/cl·s wire', 'B ÷ floor', 'B/cl·s body', 'RSS MB', 'drv cores', 'SLO'];
  const rows = ms.map((m) => [
    m.stack,
    String(m.n),
    f0(m.serverUsPerClientSec),
    f0(100 * m.serverSysShare),
    f2(m.cpuOverFloor, m.floorComparable),
    f0(m.clientsPerCore),
    f1(m.updatesPerClientSec),
    f1(m.p50Ms),
    f1(m.p99Ms),
    f0(m.wireBytesPerClientSec),
    f2(m.bytesOverFloor, m.floorComparable),
    f0(m.bodyBytesPerClientSec),
    f0(m.serverRssMB),
    m.driverCores.toFixed(2),
    m.slo ? 'ok' : 'FAIL',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}
