/**
 * Profiling helper: the 1 KB plain push echo, full stack or net only, for a few seconds, e.g.
 * `node --cpu-prof --import tsx --conditions=@hearth/source bench/profile.ts full 1024`.
 */
import { Service, type SessionRef } from '@hearth/net';
import { Login, defineMessage } from '@hearth/protocol';
import { pino } from 'pino';
import { driveThroughput } from '../../net/bench/baselines.ts';
import { createNode, definePlayer, devAuthenticator } from '../src/index.ts';

type EchoBody = { t: number; data: Uint8Array };
const Echo = defineMessage<EchoBody>(100, 'bench.echo');
const mode = process.argv[2] ?? 'full';
const size = Number(process.argv[3] ?? 1024);
const seconds = Number(process.argv[4] ?? 3);
const server = new Service({ log: false, limits: { rateLimit: false, maxConnectionsPerAddress: false, handshakeRatePerAddress: false } });
let address: string;
let close: () => Promise<void>;
if (mode === 'full') {
  const player = definePlayer().handle(Echo, (p, body) => void p.push(Echo, body));
  const node = await createNode({
    service: server,
    player,
    authenticate: devAuthenticator,
    logger: pino({ enabled: false }),
    listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
  });
  address = node.endpoints[0]!.address;
  close = () => node.close();
} else {
  server.sub({ message: Echo.type }, (ref, msg) => ref.send(Echo, msg.payload as EchoBody));
  const a = await server.accept('tcp://127.0.0.1:0', 'msgpack');
  address = a.address;
  close = () => a.close();
}
const client = new Service({ log: false });
const routes = new Map<number, (t: number) => void>();
client.sub({ message: Echo.type }, (ref, msg) => routes.get(ref.id)?.((msg.payload as EchoBody).t));
const data = new Uint8Array(size).fill(7);
let n = 0;
const rate = await driveThroughput(
  async (onEcho) => {
    const ref: SessionRef = await client.connect(address, 'msgpack', { reconnect: false });
    if (mode === 'full') await ref.request(Login, { name: `p${n++}` });
    routes.set(ref.id, onEcho);
    return { send: (t) => void ref.send(Echo, { t, data }), close: () => ref.close('NORMAL') };
  },
  { connections: 4, inFlight: 64, warmupMs: 300, durationMs: seconds * 1000 },
);
console.log(mode, size, Math.round(rate), 'msgs/s', JSON.stringify(server.stats().pool), JSON.stringify(client.stats().pool));
await client.close({ deadlineMs: 500 });
await close();
await server.close({ deadlineMs: 500 });
