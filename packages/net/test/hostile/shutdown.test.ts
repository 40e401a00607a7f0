/**
 * Bounded shutdown (issue 9: one unfinished WebSocket upgrade made SIGTERM hang forever, since
 * http.close() stops Node's header-timeout checks and the service waited for the socket).
 */
import { createServer } from 'node:net';
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import type { Service, SessionRef } from '../../src/index.ts';
import { Echo, newService, nextOpen } from '../helpers.ts';
import { RawClient } from '../RawClient.ts';
import { closedOf, halfUpgrade, rawSocket } from './rawSockets.ts';

const services: Service[] = [];
const cleanup: Array<() => void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) c();
  await Promise.all(services.splice(0).map((s) => s.close({ deadlineMs: 500 })));
});

it('one unfinished upgrade does not hold shutdown: it is destroyed at once', { timeout: 10_000 }, async () => {
  const server = newService({ limits: { handshakeTimeoutMs: 600_000 } });
  const acceptor = await server.accept('ws://127.0.0.1:0', 'msgpack');
  const half = await halfUpgrade(acceptor.address);
  cleanup.push(() => half.destroy());
  while (server.stats().upgrading === 0) await new Promise((r) => setImmediate(r));
  // A deadline far away: the close must not need it.
  await server.close({ deadlineMs: 600_000 });
  await closedOf(half);
});

it('shutdown under attack ends within its deadline whatever the peers do', { timeout: 20_000 }, async () => {
  const server = newService({ limits: { handshakeTimeoutMs: 600_000, closeTimeoutMs: 600_000, maxConnectionsPerAddress: false, handshakeRatePerAddress: false } });
  const ws = await server.accept('ws://127.0.0.1:0', 'msgpack');
  const tcp = await server.accept('tcp://127.0.0.1:0', 'msgpack');
  const peers: Array<{ destroy(): void }> = [];
  cleanup.push(() => peers.forEach((p) => p.destroy()));
  // Slowloris upgrades, silent TCP sockets (no hello), and sessions that never read.
  for (let i = 0; i < 50; i++) peers.push(await halfUpgrade(ws.address));
  for (let i = 0; i < 50; i++) peers.push(await rawSocket(tcp.address));
  const stuck: SessionRef[] = [];
  for (const address of [ws.address, tcp.address]) {
    for (let i = 0; i < 3; i++) {
      const opened = nextOpen(server);
      const raw = await RawClient.handshake(address, server.protocols.get('msgpack'));
      peers.push(raw);
      raw.pause();
      stuck.push(await opened);
    }
  }
  // Fill their socket buffers so SHUTDOWN cannot be delivered.
  const chunk = new Uint8Array(60_000);
  for (let turn = 0; turn < 200; turn++) {
    for (const ref of stuck) ref.send(Echo, { n: turn, data: chunk });
    await new Promise((r) => setImmediate(r));
  }
  const deadlineMs = 300;
  const started = performance.now();
  await server.close({ deadlineMs });
  const took = performance.now() - started;
  // The deadline plus the destroy grace (100 ms), with room for a loaded machine.
  expect(took).toBeLessThan(deadlineMs + 3_000);
  expect(server.stats().sessionsOpen).toBe(0);
  expect(server.stats().upgrading).toBe(0);
  expect(ws.connections + tcp.connections).toBe(0);
});

it('a WebSocket port in use is a rejected accept (EADDRINUSE), not an unhandled error event', async () => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  cleanup.push(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const server = newService();
  services.push(server);
  await expect(server.accept(`ws://127.0.0.1:${port}`, 'msgpack')).rejects.toMatchObject({ code: 'EADDRINUSE' });
  await expect(server.accept(`tcp://127.0.0.1:${port}`, 'msgpack')).rejects.toMatchObject({ code: 'EADDRINUSE' });
  // The service still works.
  const ok = await server.accept('ws://127.0.0.1:0', 'msgpack');
  expect(ok.port).toBeGreaterThan(0);
});
