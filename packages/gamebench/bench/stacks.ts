/**
 * The stacks compared, and how each one's server process is started: the real Arena server
 * (apps/server, `--auth dev`, per-address limits off as in scripts/dev.mjs) on each transport and
 * protocol, the Colyseus 0.16 room of colyseusServer.ts, and the physical floor: the same game on a
 * bare node:net server (rawServer.ts).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Stack {
  id: string;
  kind: 'hearth' | 'colyseus' | 'raw';
  transport: 'tcp' | 'ws';
  protocol?: 'msgpack' | 'msgpack+nacl';
}

export const STACKS: readonly Stack[] = [
  { id: 'hearth-tcp-plain', kind: 'hearth', transport: 'tcp', protocol: 'msgpack' },
  { id: 'hearth-tcp-secure', kind: 'hearth', transport: 'tcp', protocol: 'msgpack+nacl' },
  { id: 'hearth-ws-plain', kind: 'hearth', transport: 'ws', protocol: 'msgpack' },
  { id: 'hearth-ws-secure', kind: 'hearth', transport: 'ws', protocol: 'msgpack+nacl' },
  { id: 'colyseus-ws', kind: 'colyseus', transport: 'ws' },
  { id: 'raw-tcp', kind: 'raw', transport: 'tcp' },
];

/** The stack every other one is divided by (the "÷ floor" ratios). */
export const FLOOR_STACK = 'raw-tcp';

/** A running server process. */
export interface RunningServer {
  pid: number;
  /** The address clients dial. */
  url: string;
  /** Hearth secure: the key to pin. */
  serverKey?: string;
  stop(): Promise<void>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../../..');
/** Node flags that run the workspace's TypeScript sources (the same for every process of the bench). */
export const TS_FLAGS = ['--import', 'tsx', '--conditions=@hearth/source'];

export interface ServerOptions {
  sync: 'snapshot' | 'state';
  /** Extra node flags for the server process (e.g. `--cpu-prof`). */
  nodeFlags: string[];
  /** Directory for `--cpu-prof` output etc. */
  cwd?: string;
}

export async function startServer(stack: Stack, o: ServerOptions): Promise<RunningServer> {
  if (stack.kind === 'hearth') return startHearth(stack, o);
  const port = await freePort();
  const url = stack.kind === 'raw' ? `tcp://127.0.0.1:${port}` : `ws://127.0.0.1:${port}`;
  return forkServer(stack.kind === 'raw' ? 'rawServer.ts' : 'colyseusServer.ts', port, url, o);
}

function stopper(child: ChildProcess, cleanup?: () => void): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(timer);
    }
    cleanup?.();
  };
}

async function startHearth(stack: Stack, o: ServerOptions): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gamebench-'));
  const args = [
    ...TS_FLAGS,
    ...o.nodeFlags,
    join(root, 'apps/server/src/main.ts'),
    '--auth', 'dev',
    '--protocol', stack.protocol!,
    '--tcp-port', '0',
    '--ws-port', '0',
    '--admin-port=-1',
    '--web-dir', 'off',
    '--key-file', join(dir, 'server.key'),
    '--log-format', 'json',
    '--max-connections-per-address', '0',
    '--handshakes-per-second-per-address', '0',
  ];
  const child = spawn(process.execPath, args, { cwd: o.cwd ?? root, stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = stopper(child, () => rmSync(dir, { recursive: true, force: true }));
  const listening = await new Promise<{ tcp: string; ws: string; publicKey?: string }>((resolve, reject) => {
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.includes('"listening"')) continue;
        try {
          const rec = JSON.parse(line) as { event?: string; tcp: string; ws: string; publicKey?: string };
          if (rec.event === 'listening') resolve(rec);
        } catch {
          // not JSON: ignore
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`hearth server exited (${code}) before listening`)));
  });
  return {
    pid: child.pid!,
    url: stack.transport === 'tcp' ? listening.tcp : listening.ws,
    ...(stack.protocol === 'msgpack+nacl' && listening.publicKey !== undefined && { serverKey: listening.publicKey }),
    stop,
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A bench-only server (Colyseus, raw) forked with its port; it says `ready` once it listens. */
async function forkServer(file: string, port: number, url: string, o: ServerOptions): Promise<RunningServer> {
  const child = fork(join(here, file), [String(port)], {
    cwd: o.cwd ?? root,
    execArgv: [...TS_FLAGS, ...o.nodeFlags],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${file} exited (${code}) before listening`)));
  });
  return { pid: child.pid!, url, stop: stopper(child) };
}
