/**
 * Profiling helper: one Hearth echo configuration for a few seconds, e.g.
 * `node --cpu-prof --import tsx --conditions=@hearth/source bench/profile.ts 1024 msgpack+nacl [tcp|ws]`.
 */
import { defineMessage } from '@hearth/protocol';
import { Service } from '../src/index.ts';
import { driveThroughput } from './baselines.ts';
const Echo = defineMessage<{ t: number; data: Uint8Array }>(100, 'bench.echo');
const size = Number(process.argv[2] ?? 1024);
const proto = process.argv[3] ?? 'msgpack';
const transport = process.argv[4] ?? 'tcp';
const server = new Service({ log: false, limits: { rateLimit: false } });
server.sub({ message: Echo.type }, (ref, msg) => ref.send(Echo, msg.payload as { t: number; data: Uint8Array }));
const a = await server.accept(`${transport}://127.0.0.1:0`, proto);
const client = new Service({ log: false });
const routes = new Map<number, (t: number) => void>();
client.sub({ message: Echo.type }, (ref, msg) => routes.get(ref.id)?.((msg.payload as { t: number }).t));
const data = new Uint8Array(size).fill(7);
const r = await driveThroughput(async (onEcho) => {
  const ref = await client.connect(a.address, proto, { reconnect: false });
  routes.set(ref.id, onEcho);
  return { send: (t) => void ref.send(Echo, { t, data }), close: () => ref.close('NORMAL') };
}, { connections: 4, inFlight: 64, warmupMs: 200, durationMs: 3000 });
console.log(size, proto, Math.round(r), 'msgs/s', JSON.stringify(server.stats()));
await client.close(); await server.close();
