/**
 * One node process of the failover tests and bench (test/rooms/nodeProcess.ts starts it):
 * `node --import tsx --conditions=@hearth/source failoverNode.ts` with REDIS_URL, KEY_PREFIX, NODE_ID.
 * A game node on a Redis backplane (heartbeat 100 ms: a lease of 300 ms) serving the `counter` room
 * kind, listening on an ephemeral TCP port. It prints one JSON line per event on stdout:
 * `{"ready":PORT}`, `{"restored":{...}}` (RoomFailover's onRestored), `{"drained":{...}}` after a
 * SIGTERM's handoff, then exits 0.
 */
import { Service } from '@hearth/net';
import { pino } from 'pino';
import { createNode, devAuthenticator } from '../../src/index.ts';
import { RedisBackplane } from '../../src/cluster/RedisBackplane.ts';
import { Counter, counterPlayer } from './failoverRooms.ts';

const say = (event: object): void => void process.stdout.write(`${JSON.stringify(event)}\n`);
const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is required`);
  return v;
};

const backplane = new RedisBackplane({ url: env('REDIS_URL'), keyPrefix: env('KEY_PREFIX'), nodeId: env('NODE_ID'), heartbeatMs: 100 });
await backplane.start();
const service = new Service({ log: false });
const node = await createNode({
  service,
  player: counterPlayer,
  authenticate: devAuthenticator,
  backplane,
  rooms: [Counter],
  timeouts: { grace: 30_000 },
  listen: [{ address: 'tcp://127.0.0.1:0', protocol: 'msgpack' }],
  logger: pino({ level: process.env['LOG_LEVEL'] ?? 'silent' }, pino.destination(2)),
  roomFailover: { checkMs: 100, awayGraceMs: 30_000, onRestored: (e) => say({ restored: e }) },
});
process.once('SIGTERM', () => {
  void (async () => {
    const started = Date.now();
    await node.drain();
    say({ drained: { handedOff: node.roomFailover?.stats.handedOff ?? 0, ms: Date.now() - started } });
    await service.close({ deadlineMs: 500 });
    await backplane.close();
    process.exit(0);
  })();
});
say({ ready: node.endpoints[0]!.port, pid: process.pid });
