/**
 * Memory per idle session, run by bench/run.ts in a child with --expose-gc:
 * `node --expose-gc --import tsx --conditions=@hearth/source bench/memory.ts <net|actor> <count>`.
 * The server (this process) measures heap and RSS after gc before and after `count` clients
 * (a forked client process) connect (`net`) or connect and log in (`actor`), then prints one JSON line.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Service } from '@hearth/net';
import { Login } from '@hearth/protocol';
import { pino } from 'pino';
import { createNode, definePlayer, devAuthenticator } from '../src/index.ts';

const [mode = 'actor', countText = '10000', role = 'server', portText = '0'] = process.argv.slice(2);
const count = Number(countText);

async function clients(): Promise<void> {
  const service = new Service({ log: false });
  const refs = [];
  for (let i = 0; i < count; i += 200) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(200, count - i) }, async (_, j) => {
        const ref = await service.connect(`tcp://127.0.0.1:${portText}`, 'msgpack', { reconnect: false });
        if (mode === 'actor') await ref.request(Login, { name: `idle${i + j}` });
        return ref;
      }),
    );
    refs.push(...batch);
  }
  process.send!('ready');
  await new Promise((r) => process.once('message', r));
  await service.close({ deadlineMs: 2000 });
  process.exit(0);
}

function settle(): { heap: number; rss: number } {
  for (let i = 0; i < 4; i++) globalThis.gc!();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

async function server(): Promise<void> {
  const service = new Service({ log: false, limits: { rateLimit: false, maxConnections: count + 100 } });
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
    // Warm the code paths once so that compiled code and lazily built tables are not counted.
  } else {
    const acceptor = await service.accept('tcp://127.0.0.1:0', 'msgpack');
    port = acceptor.port;
    close = () => acceptor.close();
  }
  const before = settle();
  const child = fork(fileURLToPath(import.meta.url), [mode, String(count), 'clients', String(port)], {
    execArgv: ['--import', 'tsx', '--conditions=@hearth/source'],
  });
  await new Promise((r) => child.once('message', r));
  await new Promise((r) => setTimeout(r, 200));
  const after = settle();
  const sessions = service.sessions().length;
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
