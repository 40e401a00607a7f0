/**
 * Memory per idle session, run by bench/run.ts in a child with --expose-gc:
 * `node --expose-gc --import tsx --conditions=@hearth/source bench/memory.ts <bare|net|actor> <count>`.
 * The server (this process) measures heap and RSS after gc before and after `count` clients
 * (a forked client process) connect (`net`), connect and log in (`actor`), or open bare node:net
 * sockets to a bare node:net server (`bare`, the floor), then prints one JSON line.
 */
import { fork } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import { Service } from '@hearth/net';
import { Login } from '@hearth/protocol';
import { pino } from 'pino';
import { createNode, definePlayer, devAuthenticator } from '../src/index.ts';

const [mode = 'actor', countText = '10000', role = 'server', portText = '0'] = process.argv.slice(2);
const count = Number(countText);
/** Sessions opened before the "before" measurement (see clients()). */
const WARM = 200;

function rawConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

async function clients(): Promise<void> {
  const service = new Service({ log: false });
  const refs = [];
  // Warm-up: WARM sessions first (not counted), so that the server's compiled code and lazily built
  // tables are in the "before" figure; then `count` more, measured.
  await open(WARM, 'warm');
  process.send!('warm');
  await new Promise((r) => process.once('message', r));
  await open(count, 'idle');
  process.send!('ready');
  await new Promise((r) => process.once('message', r));
  await service.close({ deadlineMs: 2000 });
  process.exit(0);

  async function open(n: number, prefix: string): Promise<void> {
    for (let i = 0; i < n; i += 200) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(200, n - i) }, async (_, j) => {
          if (mode === 'bare') return rawConnect(Number(portText));
          const ref = await service.connect(`tcp://127.0.0.1:${portText}`, 'msgpack', { reconnect: false });
          if (mode === 'actor') await ref.request(Login, { name: `${prefix}${i + j}` });
          return ref;
        }),
      );
      refs.push(...batch);
    }
  }
}

function settle(): { heap: number; rss: number } {
  for (let i = 0; i < 4; i++) globalThis.gc!();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

async function server(): Promise<void> {
  const service = new Service({ log: false, limits: { rateLimit: false, maxConnections: count + WARM + 100, maxConnectionsPerAddress: false, handshakeRatePerAddress: false } });
  let port: number;
  let close: () => Promise<void>;
  if (mode === 'actor') {
    // Long timeouts: the sessions stay idle and logged in while measured.
    const node = await createNode({
      service,
      player: definePlayer(),
      authenticate: devAuthenticator,
      logger: pino({ enabled: false }),
      timeouts: { heartbeatTimeout: 600_000, loginTimeout: 600_000 },
      listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
    });
    port = node.endpoints[0]!.port;
    close = () => node.close();
  } else if (mode === 'bare') {
    // The floor: a bare node:net server holding idle sockets (one 'data' listener), no Hearth.
    const sockets = new Set<Socket>();
    const bare = createServer({ noDelay: true }, (socket) => {
      sockets.add(socket);
      socket.on('data', () => {});
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((r) => bare.listen({ host: '127.0.0.1', port: 0 }, r));
    port = (bare.address() as { port: number }).port;
    close = () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      bare.close(() => r());
    });
  } else {
    const acceptor = await service.accept('tcp://127.0.0.1:0', 'msgpack');
    port = acceptor.port;
    close = () => acceptor.close();
  }
  const child = fork(fileURLToPath(import.meta.url), [mode, String(count), 'clients', String(port)], {
    execArgv: ['--import', 'tsx', '--conditions=@hearth/source'],
  });
  await new Promise((r) => child.once('message', r)); // warm
  await new Promise((r) => setTimeout(r, 200));
  const before = settle();
  const snapshotDir = process.env['HEAP_SNAPSHOT_DIR'];
  if (snapshotDir !== undefined) writeHeapSnapshot(`${snapshotDir}/${mode}-before.heapsnapshot`);
  child.send('go');
  await new Promise((r) => child.once('message', r)); // ready
  await new Promise((r) => setTimeout(r, 200));
  const after = settle();
  if (snapshotDir !== undefined) writeHeapSnapshot(`${snapshotDir}/${mode}-after.heapsnapshot`);
  const sessions = mode === 'bare' ? count : service.sessions().length - WARM;
  child.send('done');
  await new Promise((r) => child.once('exit', r));
  await close();
  await service.close({ deadlineMs: 2000 });
  console.log(
    JSON.stringify({
      sessions,
      heapPerSession: Math.round((after.heap - before.heap) / count),
      rssPerSession: Math.round((after.rss - before.rss) / count),
      heapDeltaMB: +((after.heap - before.heap) / 2 ** 20).toFixed(1),
      rssDeltaMB: +((after.rss - before.rss) / 2 ** 20).toFixed(1),
    }),
  );
  process.exit(0);
}

await (role === 'clients' ? clients() : server());
