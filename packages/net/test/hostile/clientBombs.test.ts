/**
 * The other direction of issue 9's allocation bombs: a hostile server (a raw socket server here,
 * speaking the real handshake) sends bombs to a Hearth client service (the SDK and the bots use the
 * same decoder). The client must fail the handshake with `HANDSHAKE_FAILED`, or close the session
 * with `PROTOCOL_ERROR`, at once and without allocating what the headers declare.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ErrorCode, FrameReader, ServerHandshake, encodeFrame, generateSigningKeyPair } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Service } from '../../src/index.ts';
import { closeOf, newService } from '../helpers.ts';

// The client under test is net's own client mode (service.connect) facing hostile servers: not @hearth/client.

const MiB = 1 << 20;

function repeat(pattern: number[], times: number): Uint8Array {
  const out = new Uint8Array(pattern.length * times);
  for (let i = 0; i < times; i++) out.set(pattern, i * pattern.length);
  return out;
}

const BOMBS: Array<[string, Uint8Array]> = [
  ['dc ff ff x10,000', repeat([0xdc, 0xff, 0xff], 10_000)],
  ['de ff ff x2,000', repeat([0xde, 0xff, 0xff], 2_000)],
  ['a lone array32 header of 2^32-1', Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff)],
  ['1 MiB of 0x91', new Uint8Array(MiB - 64).fill(0x91)],
];

const servers: Server[] = [];
const sockets: Socket[] = [];
const clients: Service[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(clients.splice(0).map((c) => c.close({ deadlineMs: 1000 })));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

type Send = (body: Uint8Array) => void;

/**
 * A TCP server that calls `onHello` with the client's hello and a `send(body)`, then `onNext` once
 * with the client's next body (so the test can listen for the close before the bomb goes out).
 * @returns its `tcp://` address.
 */
async function hostileServer(onHello: (hello: Uint8Array, send: Send) => void, onNext?: (send: Send) => void): Promise<string> {
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    const reader = new FrameReader();
    const send: Send = (b) => socket.write(encodeFrame(b));
    let seen = 0;
    socket.on('data', (chunk) =>
      reader.push(chunk, (body) => {
        if (seen++ === 0) onHello(body.slice(), send);
        else if (seen === 2) onNext?.(send);
      }),
    );
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(): Service {
  const c = newService();
  clients.push(c);
  return c;
}

describe.each(['msgpack', 'msgpack+nacl'])('a hostile server, protocol %s', (protocol) => {
  const secure = protocol === 'msgpack+nacl';
  const signingSecretKey = generateSigningKeyPair().secretKey;

  it.each(BOMBS)('a welcome of %s fails the connect with HANDSHAKE_FAILED', async (_, bomb) => {
    const address = await hostileServer((_hello, send) => send(bomb));
    await expect(client().connect(address, protocol, { reconnect: false })).rejects.toMatchObject({ code: ErrorCode.HANDSHAKE_FAILED });
  });

  it.each(BOMBS)('a body of %s closes the client session with PROTOCOL_ERROR', async (_, bomb) => {
    let seal: (b: Uint8Array) => Uint8Array = (b) => b;
    const address = await hostileServer(
      (hello, send) => {
        const { reply, channel } = new ServerHandshake({ secure, signingSecretKey }).receive(hello);
        seal = (b) => channel.seal(b);
        send(reply);
      },
      (send) => send(seal(bomb)),
    );
    const c = client();
    const ref = await c.connect(address, protocol, { reconnect: false });
    const closed = closeOf(c, ref.id);
    ref.ping(); // the server answers it with the bomb
    await expect(closed).resolves.toMatchObject({ code: ErrorCode.PROTOCOL_ERROR, by: 'local' });
  });
});
