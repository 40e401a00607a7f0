/**
 * Multi-process harness of the failover tests and bench: starts a real node process
 * (failoverNode.ts under `node --import tsx`), reads its JSON event lines, and stops it with a
 * signal. Waits are on events with bounded timeouts (a safety net, never an assertion on time).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TestRedis } from '../../src/testing/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, '../..');

/** A node process and the events it printed. */
export interface NodeProcess {
  readonly nodeId: string;
  readonly port: number;
  readonly pid: number;
  /** Every event line so far (`{restored}`, `{drained}`...). */
  readonly events: Array<Record<string, unknown>>;
  /** Resolves with the first event (already seen or future) for which `match` holds. */
  event(match: (e: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name) once the process ended. */
  readonly exited: Promise<number | string>;
  signal(signal: NodeJS.Signals): void;
}

/** Starts node `nodeId` on `redis`; resolves once it listens. */
export async function startNodeProcess(redis: TestRedis, nodeId: string, timeoutMs = 60_000): Promise<NodeProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', '--conditions=@hearth/source', resolve(here, 'failoverNode.ts')], {
    cwd: packageDir,
    env: { ...process.env, REDIS_URL: redis.url, KEY_PREFIX: redis.prefix, NODE_ID: nodeId },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      return; // not an event line
    }
    for (const wake of [...waiters]) wake();
  });
  const event = (match: (e: Record<string, unknown>) => boolean, limit = 30_000): Promise<Record<string, unknown>> =>
    new Promise((resolveEvent, reject) => {
      const check = (): boolean => {
        const found = events.find(match);
        if (found === undefined) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolveEvent(found);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`node ${nodeId}: no matching event within ${limit} ms (events: ${JSON.stringify(events).slice(0, 500)})`));
      }, limit);
      if (!check()) waiters.add(check);
    });
  const ready = await Promise.race([event((e) => typeof e['ready'] === 'number', timeoutMs), exited.then((code) => Promise.reject(new Error(`node ${nodeId} exited (${code}) before it was ready`)))]);
  return {
    nodeId,
    port: ready['ready'] as number,
    pid: ready['pid'] as number,
    events,
    event,
    exited,
    signal: (s) => void child.kill(s),
  };
}
