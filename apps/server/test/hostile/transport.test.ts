/**
 * The server process under transport attacks (issue 9): a taken WebSocket port is a one-line
 * error, and SIGTERM ends within --shutdown-deadline-ms whatever clients do.
 */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { startRedis } from '@hearth/actor/testing';
import { afterEach, expect, it } from 'vitest';
import { startArena, type ArenaProcess } from '../fixtures/arenaProcess.ts';

const running: ArenaProcess[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

async function socketTo(address: string): Promise<Socket> {
  const url = new URL(address);
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  socket.on('error', () => {});
  sockets.push(socket);
  await once(socket, 'connect');
  return socket;
}

it('a taken WebSocket port: one line "cannot listen (EADDRINUSE)" and exit 1, no stack trace', { timeout: 30_000 }, async () => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  try {
    const port = (blocker.address() as { port: number }).port;
    const server = startArena(['--ws-port', String(port)]);
    running.push(server);
    const { code } = await server.exited;
    expect(code).toBe(1);
    const err = server.stderr().trim();
    expect(err).toMatch(/^hearth-server: cannot listen \(EADDRINUSE\)/);
    expect(err.split('\n')).toHaveLength(1);
  } finally {
    blocker.close();
  }
});

it('SIGTERM ends within --shutdown-deadline-ms with unfinished upgrades and silent sockets open', { timeout: 30_000 }, async () => {
  const server = startArena(['--shutdown-deadline-ms', '1000']);
  running.push(server);
  const { ws, tcp } = await server.listening;
  const host = new URL(ws).host;
  for (let i = 0; i < 20; i++) {
    // Half an upgrade request, then nothing (http.close() would wait for it forever).
    (await socketTo(ws)).write(`GET / HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\n`);
    await socketTo(tcp); // no hello
  }
  server.child.kill('SIGTERM');
  const { code, signal } = await server.exited;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  const time = (msg: string): number => (JSON.parse(server.log.find((l) => l.includes(`"msg":"${msg}"`))!) as { time: number }).time;
  // The deadline plus the grace for destroyed sockets, with room for a loaded machine.
  expect(time('stopped') - time('shutting down')).toBeLessThan(1000 + 3000);
});

it('cluster mode: SIGTERM under attack still deregisters the node from Redis', { timeout: 60_000 }, async () => {
  await using redis = await startRedis();
  // A heartbeat so long that a lapse cannot be what removes node A: only its backplane close does.
  const args = ['--redis', redis.url, '--redis-prefix', redis.prefix, '--cluster-heartbeat-ms', '30000', '--shutdown-deadline-ms', '500'];
  const a = startArena(args);
  const b = startArena(args);
  running.push(a, b);
  const [la, lb] = await Promise.all([a.listening, b.listening]);
  const nodes = async (): Promise<string[]> => {
    const res = await fetch(`${lb.admin}/nodes`);
    return ((await res.json()) as { nodes: Array<{ nodeId: string }> }).nodes.map((n) => n.nodeId).sort();
  };
  expect(await nodes()).toEqual([la.node, lb.node].sort());
  const host = new URL(la.ws).host;
  for (let i = 0; i < 10; i++) (await socketTo(la.ws)).write(`GET / HTTP/1.1\r\nHost: ${host}\r\n`);
  a.child.kill('SIGTERM');
  expect(await a.exited).toEqual({ code: 0, signal: null });
  expect(await nodes()).toEqual([lb.node]);
});
