/**
 * Per-address limits (issue 9: one address opened 10,050 idle sockets and 3,000 sessions in 2.3 s):
 * live connections per address (TOO_MANY_CONNECTIONS) and new connections per second per address
 * (RATE_LIMITED); and the default maxConnections within the file-descriptor limit.
 */
import { Writable } from 'node:stream';
import type { HearthClient } from '@hearth/client';
import { ErrorCode } from '@hearth/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AddressTable,
  RESERVED_FILE_DESCRIPTORS,
  addressKey,
  defaultMaxConnections,
  fileDescriptorLimit,
  parseProcLimits,
  resolveLimits,
  type Limits,
  type Service,
} from '../../src/index.ts';
import { newService, serveEcho, Add, closeClients, dialClient } from '../helpers.ts';
import { closedOf, halfUpgrade } from './rawSockets.ts';

const services: Service[] = [];
afterEach(async () => {
  closeClients();
  await Promise.all(services.splice(0).map((s) => s.close({ deadlineMs: 500 })));
});

async function pair(transport: 'tcp' | 'ws', limits: Limits) {
  const server = newService({ limits: { closeTimeoutMs: 200, ...limits } });
  serveEcho(server);
  services.push(server);
  const acceptor = await server.accept(`${transport}://127.0.0.1:0`, 'msgpack');
  const dial = (): Promise<HearthClient> => dialClient(acceptor.address);
  return { server, acceptor, dial };
}

describe.each(['tcp', 'ws'] as const)('per-address limits over %s', (transport) => {
  it('TOO_MANY_CONNECTIONS past maxConnectionsPerAddress; a slot frees when one closes', async () => {
    const { server, acceptor, dial } = await pair(transport, { maxConnectionsPerAddress: 3, handshakeRatePerAddress: false });
    const refs = [await dial(), await dial(), await dial()];
    await expect(dial()).rejects.toMatchObject({ code: ErrorCode.TOO_MANY_CONNECTIONS });
    expect(server.stats().closedByCode[ErrorCode.TOO_MANY_CONNECTIONS]).toBe(1);
    refs[0]!.close();
    // Wait (turn by turn) until the server has seen that socket and the refused one go.
    while (acceptor.connections > 2) await new Promise((r) => setImmediate(r));
    const fresh = await dial();
    expect(fresh.state).toBe('open');
    await expect(refs[1]!.request(Add, { a: 1, b: 2 })).resolves.toBe(3);
  });

  it('RATE_LIMITED past handshakeRatePerAddress (burst, no refill in the test)', async () => {
    const { server, dial } = await pair(transport, { handshakeRatePerAddress: { perSecond: 0.001, burst: 4 } });
    for (let i = 0; i < 4; i++) await dial();
    await expect(dial()).rejects.toMatchObject({ code: ErrorCode.RATE_LIMITED });
    expect(server.stats().closedByCode[ErrorCode.RATE_LIMITED]).toBe(1);
  });

  it('the defaults admit 50 clients at once from one address (the 50-bot e2e)', async () => {
    const { dial } = await pair(transport, {});
    const refs = await Promise.all(Array.from({ length: 50 }, () => dial()));
    expect(refs.every((r) => r.state === 'open')).toBe(true);
  });
});

it('unfinished WebSocket upgrades count against maxConnectionsPerAddress', async () => {
  const { server, acceptor, dial } = await pair('ws', { maxConnectionsPerAddress: 2, handshakeRatePerAddress: false });
  const half = [await halfUpgrade(acceptor.address), await halfUpgrade(acceptor.address)];
  while (server.stats().upgrading < 2) await new Promise((r) => setImmediate(r));
  await expect(dial()).rejects.toMatchObject({ code: ErrorCode.TOO_MANY_CONNECTIONS });
  for (const s of half) s.destroy();
  await Promise.all(half.map(closedOf));
});

describe('AddressTable', () => {
  it('counts live connections and refills the bucket on an injected clock', () => {
    let now = 0;
    const table = new AddressTable(2, { perSecond: 1, burst: 2 }, () => now);
    expect(table.enter('10.0.0.1')).toBeUndefined();
    expect(table.enter('10.0.0.1')).toBeUndefined();
    expect(table.enter('10.0.0.1')?.code).toBe(ErrorCode.TOO_MANY_CONNECTIONS);
    table.leave('10.0.0.1');
    table.leave('10.0.0.1');
    expect(table.enter('10.0.0.1')?.code).toBe(ErrorCode.RATE_LIMITED);
    table.leave('10.0.0.1');
    now += 1000;
    expect(table.enter('10.0.0.1')).toBeUndefined();
    expect(table.enter('10.0.0.2')).toBeUndefined();
    table.leave('10.0.0.1');
    table.leave('10.0.0.2');
    now += 10_000;
    table.leave('unknown');
    // Idle entries (no connections, bucket full) are dropped.
    expect(table.enter('10.0.0.3')).toBeUndefined();
    table.leave('10.0.0.3');
    expect(table.connectionsOf('10.0.0.3')).toBe(0);
  });

  it('stays bounded under many addresses', () => {
    let now = 0;
    const table = new AddressTable(4, { perSecond: 10, burst: 10 }, () => now);
    for (let i = 0; i < 100_000; i++) {
      const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      table.enter(ip);
      table.leave(ip);
      now += 1;
    }
    expect(table.size).toBeLessThan(5000);
  });

  it('keys IPv4-mapped addresses as IPv4 and IPv6 by /64', () => {
    expect(addressKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('2001:db8:0:1::7')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:0db8:0000:0001:ffff:1:2:3')).toBe('2001:db8:0:1::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey(undefined)).toBe('?');
  });
});

describe('maxConnections and the file-descriptor limit', () => {
  it('reads the soft limit of /proc/self/limits', () => {
    const text = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n';
    expect(parseProcLimits(text)).toBe(1024);
    expect(parseProcLimits('Max open files            unlimited            unlimited            files\n')).toBeUndefined();
  });

  it('the default maxConnections stays under the limit', () => {
    const fds = fileDescriptorLimit();
    if (fds !== undefined) expect(defaultMaxConnections()).toBeLessThanOrEqual(Math.max(1, fds - RESERVED_FILE_DESCRIPTORS));
    expect(resolveLimits(undefined).maxConnections).toBe(defaultMaxConnections());
  });

  it('warns at start when maxConnections is configured above it', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    const server = newService({ logger: pino({ level: 'warn' }, sink), log: true, limits: { maxConnections: 1e9 } });
    services.push(server);
    await server.accept('tcp://127.0.0.1:0', 'msgpack');
    if (fileDescriptorLimit() === undefined) return;
    expect(lines.join('')).toContain('above the file-descriptor limit');
  });
});
