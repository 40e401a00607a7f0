/**
 * Pre-handshake budget: the first frame (the hello, a few dozen bytes) is capped by
 * `maxHelloBytes` on TCP and WebSocket, and a larger one is refused with HANDSHAKE_FAILED at once,
 * before the server buffers it (issue 9: 600 connections x 1 MiB hello = +620 MiB RSS).
 */
import { ErrorCode, FRAME_HEADER_BYTES } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Limits, Service } from '../../src/index.ts';
import { newService } from '../helpers.ts';
import { TEST_PROTOCOLS } from '../protocols.ts';
import { RawClient } from '../RawClient.ts';
import { clientFrame, clientFrameHeader, rawWs } from './rawSockets.ts';

// Clients are Services (service.connect): the hello cap runs over the trivial protocol too, which @hearth/client does not speak.

const services: Service[] = [];
const cleanup: Array<() => void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) c();
  await Promise.all(services.splice(0).map((s) => s.close({ deadlineMs: 500 })));
});

// A long handshake timeout: a server that buffers the big hello would answer only after it.
const PATIENT: Limits = { handshakeTimeoutMs: 60_000, closeTimeoutMs: 200 };

async function serve(transport: 'tcp' | 'ws', protocol: string, limits: Limits = {}) {
  const server = newService({ limits: { ...PATIENT, ...limits } });
  services.push(server);
  const acceptor = await server.accept(`${transport}://127.0.0.1:0`, protocol);
  return { server, acceptor, factory: server.protocols.get(protocol) };
}

/** The code of a refusal body, as the protocol's client reads it. */
function refusalCode(server: Service, protocol: string, body: Uint8Array | undefined): string | undefined {
  const hs = server.protocols.get(protocol).client({});
  hs.hello();
  try {
    hs.receive(body!);
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe.each(TEST_PROTOCOLS)('hello cap, protocol %s', (protocol) => {
  it('TCP: a header announcing 1 MiB is refused with HANDSHAKE_FAILED before a byte of it is buffered', async () => {
    const { server, acceptor } = await serve('tcp', protocol);
    const raw = await RawClient.open(acceptor.address);
    cleanup.push(() => raw.destroy());
    const header = new Uint8Array(FRAME_HEADER_BYTES);
    new DataView(header.buffer).setUint32(0, 1 << 20);
    raw.sendRaw(header);
    raw.sendRaw(new Uint8Array(1000));
    await raw.closed;
    expect(refusalCode(server, protocol, raw.preHandshake[0])).toBe(ErrorCode.HANDSHAKE_FAILED);
    expect(server.stats().closedByCode).toEqual({ [ErrorCode.HANDSHAKE_FAILED]: 1 });
    // No assembly buffer was taken for the announced megabyte.
    expect(server.pool.stats().misses + server.pool.stats().hits).toBe(0);
  });

  it('TCP: a header split over reads is still read whole', async () => {
    const { server, acceptor } = await serve('tcp', protocol, { maxHelloBytes: 300 });
    const raw = await RawClient.open(acceptor.address);
    cleanup.push(() => raw.destroy());
    const header = new Uint8Array(FRAME_HEADER_BYTES);
    new DataView(header.buffer).setUint32(0, 301);
    for (const b of header) {
      const before = server.stats().bytesIn;
      raw.sendRaw(Uint8Array.of(b));
      while (server.stats().bytesIn === before) await new Promise((r) => setImmediate(r));
    }
    await raw.closed;
    expect(refusalCode(server, protocol, raw.preHandshake[0])).toBe(ErrorCode.HANDSHAKE_FAILED);
  });

  it('WS: a first message announcing 1 MiB is refused with HANDSHAKE_FAILED before it has arrived', async () => {
    const { server, acceptor } = await serve('ws', protocol);
    const ws = await rawWs(acceptor.address);
    cleanup.push(() => ws.socket.destroy());
    ws.socket.write(clientFrameHeader(2, 1 << 20));
    ws.socket.write(new Uint8Array(64 * 1024)); // the rest never comes
    const close = await ws.closeFrame;
    expect(close).toEqual({ code: 4000, reason: ErrorCode.HANDSHAKE_FAILED });
    const refusal = ws.frames.find((f) => f.opcode === 2)?.payload;
    expect(refusalCode(server, protocol, refusal)).toBe(ErrorCode.HANDSHAKE_FAILED);
    expect(server.stats().closedByCode).toEqual({ [ErrorCode.HANDSHAKE_FAILED]: 1 });
  });

  it('WS: small fragments and pings adding up past the cap before the hello are refused', async () => {
    const { acceptor } = await serve('ws', protocol);
    const ws = await rawWs(acceptor.address);
    cleanup.push(() => ws.socket.destroy());
    ws.socket.write(Buffer.concat([clientFrameHeader(2, 10, false), Buffer.alloc(10)]));
    for (let i = 0; i < 40; i++) {
      ws.socket.write(clientFrame(9, Buffer.alloc(4))); // ping
      ws.socket.write(Buffer.concat([clientFrameHeader(0, 10, false), Buffer.alloc(10)])); // continuation, not final
    }
    expect(await ws.closeFrame).toEqual({ code: 4000, reason: ErrorCode.HANDSHAKE_FAILED });
  });

  it.each(['tcp', 'ws'] as const)('%s: maxHelloBytes below the hello refuses it; the default lets it in', async (transport) => {
    const { acceptor } = await serve(transport, protocol, { maxHelloBytes: 1 });
    const client = newService();
    services.push(client);
    if (protocol !== 'trivial') {
      // The trivial protocol's hello is one byte: it fits.
      await expect(client.connect(acceptor.address, protocol, { reconnect: false })).rejects.toMatchObject({ code: ErrorCode.HANDSHAKE_FAILED });
    }
    const { acceptor: roomy } = await serve(transport, protocol);
    const ref = await client.connect(roomy.address, protocol, { reconnect: false });
    expect(ref.alive).toBe(true);
  });
});
