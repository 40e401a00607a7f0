/**
 * The WebSocket HTTP upgrade phase is part of the connection (issue 9: 1,000 unfinished upgrades
 * stayed open 25 s, one 72 s, none counted): it is timed by handshakeTimeoutMs, counted in
 * maxConnections, per address and in stats.
 */
import { once } from 'node:events';
import { ErrorCode } from '@hearth/protocol';
import { afterEach, expect, it } from 'vitest';
import type { Limits, Service } from '../../src/index.ts';
import { closeClients, dialClient, newService } from '../helpers.ts';
import { closedOf, halfUpgrade, rawSocket } from './rawSockets.ts';

const services: Service[] = [];
afterEach(async () => {
  closeClients();
  await Promise.all(services.splice(0).map((s) => s.close({ deadlineMs: 500 })));
});

async function wsServer(limits: Limits) {
  const server = newService({ limits: { closeTimeoutMs: 200, ...limits } });
  services.push(server);
  const acceptor = await server.accept('ws://127.0.0.1:0', 'msgpack');
  return { server, acceptor };
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

it('a half-sent upgrade is counted while pending and destroyed at handshakeTimeoutMs', async () => {
  const { server, acceptor } = await wsServer({ handshakeTimeoutMs: 150 });
  const first = await halfUpgrade(acceptor.address);
  await until(() => server.stats().upgrading === 1 || first.closed);
  const sockets = [first, ...(await Promise.all(Array.from({ length: 19 }, () => halfUpgrade(acceptor.address))))];
  // Node's own headersTimeout would take 60 s (checked every 30 s); the acceptor's timer does it.
  await Promise.all(sockets.map(closedOf));
  expect(server.stats().accepted).toBe(20);
  await until(() => server.stats().upgrading === 0);
  expect(acceptor.connections).toBe(0);
  expect(server.stats().closedByCode[ErrorCode.HANDSHAKE_TIMEOUT]).toBe(20);
});

it('unfinished upgrades count against maxConnections: a real client then gets SERVER_FULL', async () => {
  const { server, acceptor } = await wsServer({ maxConnections: 2 });
  const half = [await halfUpgrade(acceptor.address), await halfUpgrade(acceptor.address)];
  await until(() => server.stats().upgrading === 2);
  await expect(dialClient(acceptor.address)).rejects.toMatchObject({ code: ErrorCode.SERVER_FULL });
  for (const s of half) s.destroy();
  await until(() => acceptor.connections === 0);
  const client = await dialClient(acceptor.address);
  expect(client.state).toBe('open');
});

it('a plain HTTP request gets 426 and its connection is closed', async () => {
  const { server, acceptor } = await wsServer({});
  const socket = await rawSocket(acceptor.address);
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await once(socket, 'close');
  expect(text).toMatch(/^HTTP\/1\.1 426/);
  await until(() => acceptor.connections === 0 && server.stats().upgrading === 0);
});

it("the session's handshake timer gets what the upgrade left of handshakeTimeoutMs", async () => {
  const { server, acceptor } = await wsServer({ handshakeTimeoutMs: 2000 });
  // Upgrade at once, then say nothing: HANDSHAKE_TIMEOUT from the session, once.
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(acceptor.address);
  ws.on('error', () => {});
  const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
  expect(code).toBe(4000);
  expect(reason.toString()).toBe(ErrorCode.HANDSHAKE_TIMEOUT);
  expect(server.stats().closedByCode[ErrorCode.HANDSHAKE_TIMEOUT]).toBe(1);
});
