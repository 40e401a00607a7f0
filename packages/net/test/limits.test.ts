import { setImmediate as turn } from 'node:timers/promises';
import { BatchWriter, ErrorCode, FRAME_HEADER_BYTES, generateSigningKeyPair } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Limits, Service } from '../src/index.ts';
import { Add, Echo, closeOf, newService, nextOpen, serveEcho } from './helpers.ts';
import { RawClient } from './RawClient.ts';

const services: Service[] = [];
const raws: RawClient[] = [];
afterEach(async () => {
  for (const r of raws.splice(0)) r.destroy();
  await Promise.all(services.splice(0).map((s) => s.close({ deadlineMs: 1000 })));
});


import { TEST_PROTOCOLS as PROTOCOLS } from './protocols.ts';

// The well-behaved peers are Services (service.connect): the limits run over the trivial protocol too, which @hearth/client does not speak.

async function setup(transport: 'tcp' | 'ws', protocol: string, limits: Limits) {
  const server = newService({ limits: { closeTimeoutMs: 500, ...limits } });
  services.push(server);
  serveEcho(server);
  const acceptor = await server.accept(`${transport}://127.0.0.1:0`, protocol);
  const client = newService();
  services.push(client);
  /** A second, well-behaved session on the same server: must keep working. */
  const good = await client.connect(acceptor.address, protocol, { reconnect: false });
  const factory = server.protocols.get(protocol);
  const raw = async (): Promise<RawClient> => {
    const r = await RawClient.handshake(acceptor.address, factory);
    raws.push(r);
    return r;
  };
  const stillGood = async (): Promise<void> => {
    expect(good.alive).toBe(true);
    await expect(good.request(Add, { a: 20, b: 22 })).resolves.toBe(42);
  };
  return { server, acceptor, client, good, raw, factory, stillGood };
}

describe.each(['tcp', 'ws'] as const)('limits over %s', (transport) => {
  describe.each(PROTOCOLS)('protocol %s', (protocol) => {
    it('SERVER_FULL past maxConnections', async () => {
      const { client, acceptor, stillGood, server } = await setup(transport, protocol, { maxConnections: 1 });
      await expect(client.connect(acceptor.address, protocol, { reconnect: false })).rejects.toMatchObject({
        code: ErrorCode.SERVER_FULL,
      });
      await stillGood();
      expect(server.stats().closedByCode['SERVER_FULL']).toBe(1);
    });

    it('FRAME_TOO_LARGE for a body over maxFrameBytes', async () => {
      const { client, acceptor, stillGood, server } = await setup(transport, protocol, { maxFrameBytes: 4096 });
      const opened = nextOpen(server);
      const big = await client.connect(acceptor.address, protocol, { reconnect: false });
      await opened;
      const closed = closeOf(client, big.id);
      big.send(Echo, { n: 1, data: new Uint8Array(8000) });
      const ev = await closed;
      // TCP: the server's [6, FRAME_TOO_LARGE]; WS: `ws` refuses the message itself (close 1009).
      expect(ev.code).toBe(ErrorCode.FRAME_TOO_LARGE);
      await stillGood();
    });

    it('HANDSHAKE_TIMEOUT when no hello arrives', async () => {
      const { acceptor, stillGood, server } = await setup(transport, protocol, { handshakeTimeoutMs: 100 });
      const silent = await RawClient.open(acceptor.address);
      raws.push(silent);
      await silent.closed;
      expect(silent.preHandshake).toHaveLength(1); // the refusal body
      const hs = server.protocols.get(protocol).client({});
      hs.hello();
      expect(() => hs.receive(silent.preHandshake[0]!)).toThrow(
        expect.objectContaining({ code: ErrorCode.HANDSHAKE_TIMEOUT }),
      );
      expect(server.stats().closedByCode['HANDSHAKE_TIMEOUT']).toBe(1);
      await stillGood();
    });

    it('RATE_LIMITED above the token bucket', async () => {
      const { raw, stillGood, server } = await setup(transport, protocol, { rateLimit: { messagesPerSecond: 10, burst: 20 } });
      const flood = await raw();
      flood.sendBatch((w) => {
        for (let i = 0; i < 50; i++) w.push(Echo.type, { n: i });
      });
      await flood.closed;
      expect(flood.closeMessage?.code).toBe(ErrorCode.RATE_LIMITED);
      // The burst's 20 were served before the limit hit.
      expect(flood.messages.filter((m) => m.kind === 0)).toHaveLength(20);
      expect(server.stats().closedByCode['RATE_LIMITED']).toBe(1);
      await stillGood();
    });

    it('SLOW_CONSUMER when a reader stops reading', async () => {
      const { raw, stillGood, server } = await setup(transport, protocol, { maxQueuedBytes: 256 * 1024 });
      const opened = nextOpen(server);
      const slow = await raw();
      const ref = await opened;
      slow.pause();
      const closed = closeOf(server, ref.id);
      let code: string | undefined;
      void closed.then((ev) => (code = ev.code));
      const chunk = new Uint8Array(16 * 1024);
      for (let turnNo = 0; turnNo < 2000 && code === undefined; turnNo++) {
        for (let i = 0; i < 8; i++) ref.send(Echo, { n: i, data: chunk });
        await turn();
      }
      expect(code).toBe(ErrorCode.SLOW_CONSUMER);
      expect(server.stats().queueHighWaterBytes).toBeLessThan(256 * 1024 + 256 * 1024);
      await stillGood();
    });

    it('PROTOCOL_ERROR for a malformed body', async () => {
      const { raw, stillGood } = await setup(transport, protocol, {});
      const bad = await raw();
      bad.sendBody(bad.channel!.seal(Uint8Array.of(0xc1))); // 0xc1 is never valid msgpack
      await bad.closed;
      expect(bad.closeMessage?.code).toBe(ErrorCode.PROTOCOL_ERROR);
      await stillGood();
    });
  });

  if (PROTOCOLS.includes('msgpack+nacl')) {
    it('BAD_MAC for a tampered secure body', async () => {
      const { raw, stillGood } = await setup(transport, 'msgpack+nacl', {});
      const bad = await raw();
      const w = new BatchWriter();
      w.push(Echo.type, { n: 1 });
      const sealed = bad.channel!.seal(w.take().slice());
      sealed[sealed.length - 1]! ^= 1;
      bad.sendBody(sealed);
      await bad.closed;
      expect(bad.closeMessage?.code).toBe(ErrorCode.BAD_MAC);
      await stillGood();
    });

    it('a client pinning the wrong server key is refused; the right key connects', async () => {
      const server = newService();
      services.push(server);
      serveEcho(server);
      const keys = generateSigningKeyPair();
      const acceptor = await server.accept(`${transport}://127.0.0.1:0`, 'msgpack+nacl', { signingSecretKey: keys.secretKey });
      const client = newService();
      services.push(client);
      await expect(
        client.connect(acceptor.address, 'msgpack+nacl', { serverSigningKey: generateSigningKeyPair().publicKey, reconnect: false }),
      ).rejects.toMatchObject({ code: ErrorCode.HANDSHAKE_FAILED });
      const ref = await client.connect(acceptor.address, 'msgpack+nacl', { serverSigningKey: keys.publicKey, reconnect: false });
      await expect(ref.request(Add, { a: 1, b: 2 })).resolves.toBe(3);
    });
  }

  if (transport === 'tcp') {
    it('FRAME_EMPTY / FRAME_TOO_LARGE announced in a raw header close the session with its code', async () => {
      const { raw, stillGood } = await setup(transport, 'trivial', { maxFrameBytes: 1024 });
      const bad = await raw();
      const header = new Uint8Array(FRAME_HEADER_BYTES);
      new DataView(header.buffer).setUint32(0, 1_000_000);
      bad.sendRaw(header);
      await bad.closed;
      expect(bad.closeMessage?.code).toBe(ErrorCode.FRAME_TOO_LARGE);
      await stillGood();
    });
  } else {
    it('a text WebSocket message is a PROTOCOL_ERROR', async () => {
      const { raw, stillGood } = await setup(transport, 'trivial', {});
      const bad = await raw();
      bad.sendText('hello');
      await bad.closed;
      expect(bad.closeMessage?.code).toBe(ErrorCode.PROTOCOL_ERROR);
      await stillGood();
    });
  }
});
