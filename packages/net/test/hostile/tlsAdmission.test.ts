/**
 * TLS listeners (tls:// and wss://) admit a connection at its TCP accept, before any TLS work:
 * sockets sitting in (or never starting) a TLS handshake count against maxConnections and the
 * per-address limits, a refused one is destroyed at once, the TLS handshake is bounded by
 * handshakeTimeoutMs from the accept, and the count is released exactly once however it ends.
 */
import type { Socket } from 'node:net';
import { HearthClient } from '@hearth/client';
import { ErrorCode } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Acceptor, Limits, Service } from '../../src/index.ts';
import { selfSignedCertificate } from '../fixtures/selfSignedCertificate.ts';
import { Add, newService, serveEcho } from '../helpers.ts';
import { closedOf, rawSocket } from './rawSockets.ts';

const certificate = selfSignedCertificate();
const services: Service[] = [];
const clients: HearthClient[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(services.splice(0).map((s) => s.close({ deadlineMs: 500 })));
});

async function tlsServer(transport: 'tcp' | 'ws', limits: Limits): Promise<{ server: Service; acceptor: Acceptor }> {
  const server = newService({ limits: { closeTimeoutMs: 200, ...limits } });
  serveEcho(server);
  services.push(server);
  const acceptor = await server.accept(`${transport}://127.0.0.1:0`, 'msgpack', { tls: certificate });
  return { server, acceptor };
}

/** A client trusting the test certificate: connects, and answers an Add. */
async function canary(address: string): Promise<HearthClient> {
  const client = new HearthClient({ url: address, protocol: 'msgpack', allowUnpinned: true, reconnect: false, tls: { ca: certificate.cert } });
  clients.push(client);
  await client.connect();
  await expect(client.request(Add, { a: 2, b: 3 })).resolves.toBe(5);
  return client;
}

/** A TCP socket to a TLS port that never sends its ClientHello. */
async function silent(address: string): Promise<Socket> {
  const socket = await rawSocket(address.replace(/^(tls|wss):/, 'tcp:'));
  sockets.push(socket);
  // Read (and drop) what comes back, so the server's close is seen.
  socket.resume();
  return socket;
}

/** Waits, turn by turn (bounded by the test's timeout), until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r));
}

describe.each([
  ['tls', 'tcp'],
  ['wss', 'ws'],
] as const)('%s: admission at TCP accept, before the TLS handshake', (scheme, transport) => {
  it('silent sockets count against maxConnectionsPerAddress; the next is destroyed at once; all released', async () => {
    const { server, acceptor } = await tlsServer(transport, { maxConnectionsPerAddress: 3, handshakeRatePerAddress: false, handshakeTimeoutMs: 60_000 });
    expect(acceptor.address.startsWith(`${scheme}://`)).toBe(true);
    const held = [await silent(acceptor.address), await silent(acceptor.address)];
    await until(() => acceptor.connections === 2);
    const client = await canary(acceptor.address);
    expect(acceptor.connections).toBe(3);
    const refused = await silent(acceptor.address);
    await closedOf(refused);
    expect(server.stats().closedByCode[ErrorCode.TOO_MANY_CONNECTIONS]).toBe(1);
    // The held ones are still there (not timed out, not refused).
    expect(held.every((s) => !s.closed)).toBe(true);
    for (const s of held) s.destroy();
    client.close();
    await until(() => acceptor.connections === 0);
    // A slot is free again: released once each (a double release would let 4+ in, a leak none).
    await canary(acceptor.address);
    expect(acceptor.connections).toBe(1);
  });

  it('silent sockets count against handshakeRatePerAddress', async () => {
    const { server, acceptor } = await tlsServer(transport, { handshakeRatePerAddress: { perSecond: 0.001, burst: 2 }, handshakeTimeoutMs: 60_000 });
    await silent(acceptor.address);
    await silent(acceptor.address);
    await until(() => acceptor.connections === 2);
    const refused = await silent(acceptor.address);
    await closedOf(refused);
    expect(server.stats().closedByCode[ErrorCode.RATE_LIMITED]).toBe(1);
    expect(acceptor.connections).toBe(2);
  });

  it('silent sockets count against maxConnections (SERVER_FULL)', async () => {
    const { server, acceptor } = await tlsServer(transport, { maxConnections: 2, handshakeRatePerAddress: false, handshakeTimeoutMs: 60_000 });
    await silent(acceptor.address);
    await silent(acceptor.address);
    await until(() => acceptor.connections === 2);
    const refused = await silent(acceptor.address);
    await closedOf(refused);
    expect(server.stats().closedByCode[ErrorCode.SERVER_FULL]).toBe(1);
    expect(acceptor.connections).toBe(2);
  });

  it('a TLS handshake never started is ended at handshakeTimeoutMs from the accept (HANDSHAKE_TIMEOUT), and released', async () => {
    const { server, acceptor } = await tlsServer(transport, { maxConnectionsPerAddress: 2, handshakeRatePerAddress: false, handshakeTimeoutMs: 300 });
    const stalled = await silent(acceptor.address);
    await until(() => acceptor.connections === 1);
    await closedOf(stalled);
    await until(() => acceptor.connections === 0);
    expect(server.stats().closedByCode[ErrorCode.HANDSHAKE_TIMEOUT]).toBe(1);
    await canary(acceptor.address);
  });

  it('failed TLS handshakes (plain bytes) release their count exactly once', async () => {
    const { acceptor } = await tlsServer(transport, { maxConnectionsPerAddress: 2, handshakeRatePerAddress: false, handshakeTimeoutMs: 60_000 });
    for (let i = 0; i < 5; i++) {
      const socket = await silent(acceptor.address);
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await closedOf(socket);
    }
    await until(() => acceptor.connections === 0);
    const a = await canary(acceptor.address);
    const b = await canary(acceptor.address);
    expect(acceptor.connections).toBe(2);
    a.close();
    b.close();
    await until(() => acceptor.connections === 0);
  });

  it('closing the service ends sockets still in their TLS handshake', async () => {
    const { server, acceptor } = await tlsServer(transport, { handshakeTimeoutMs: 60_000 });
    const stalled = await silent(acceptor.address);
    await until(() => acceptor.connections === 1);
    const closing = server.close({ deadlineMs: 200 });
    await closedOf(stalled);
    await closing;
    expect(acceptor.connections).toBe(0);
  });
});
