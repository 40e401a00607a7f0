/**
 * Message-rate limit: WebSocket control frames count (a ping flood costs a pong each), and a
 * session closed by the limit stops decoding the rest of its body at once.
 */
import type { BatchWriter} from '@hearth/protocol';
import { ErrorCode } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProtocolFactory, Service, SessionChannel } from '../../src/index.ts';
import { Echo, newService, serveEcho, trivialProtocol } from '../helpers.ts';
import { TEST_PROTOCOLS } from '../protocols.ts';
import { RawClient } from '../RawClient.ts';

const services: Service[] = [];
const raws: RawClient[] = [];
afterEach(async () => {
  for (const r of raws.splice(0)) r.destroy();
  await Promise.all(services.splice(0).map((s) => s.close({ deadlineMs: 500 })));
});

describe.each(TEST_PROTOCOLS)('WebSocket control frames, protocol %s', (protocol) => {
  it('a ping flood is RATE_LIMITED like a message flood', async () => {
    const server = newService({ limits: { rateLimit: { messagesPerSecond: 1, burst: 5 }, closeTimeoutMs: 200 } });
    services.push(server);
    const acceptor = await server.accept('ws://127.0.0.1:0', protocol);
    const raw = await RawClient.handshake(acceptor.address, server.protocols.get(protocol));
    raws.push(raw);
    for (let i = 0; i < 50; i++) raw.ping();
    await raw.closed;
    expect(raw.closeMessage?.code).toBe(ErrorCode.RATE_LIMITED);
    expect(server.stats().closedByCode[ErrorCode.RATE_LIMITED]).toBe(1);
  });
});

/**
 * Counts the views msgpack takes of a body: `bin` values are `subarray`s of the input, and a
 * subarray of a subclass is made by the subclass's constructor (TypedArraySpeciesCreate).
 */
class Probe extends Uint8Array {
  static views = 0;
  constructor(source: ArrayBufferLike | ArrayLike<number>, byteOffset?: number, length?: number) {
    // A copy (from the channel) or a view (from subarray): the runtime takes either shape.
    super(source as ArrayBuffer, byteOffset, length);
    Probe.views++;
  }
}
const probeChannel: SessionChannel = { secure: false, seal: (b) => b, open: (b) => new Probe(b) };
const probeProtocol: ProtocolFactory = {
  ...trivialProtocol,
  server: () => ({
    receive: (hello) => {
      const t = trivialProtocol.server({}).receive(hello);
      return { reply: t.reply, channel: probeChannel };
    },
  }),
};

it.each(['tcp', 'ws'] as const)('%s: a RATE_LIMITED session decodes nothing past the message that crossed the limit', async (transport) => {
  const server = newService({ limits: { rateLimit: { messagesPerSecond: 1, burst: 3 }, closeTimeoutMs: 200 } });
  services.push(server);
  server.protocols.register('probe', probeProtocol);
  serveEcho(server);
  const acceptor = await server.accept(`${transport}://127.0.0.1:0`, 'probe');
  const raw = await RawClient.handshake(acceptor.address, trivialProtocol);
  raws.push(raw);
  Probe.views = 0;
  raw.sendBatch((w: BatchWriter) => {
    for (let i = 0; i < 4; i++) w.push(Echo.type, { n: i }); // the 4th crosses the limit
    for (let i = 0; i < 500; i++) w.push(Echo.type, { n: i, data: Uint8Array.of(1, 2, 3) }); // never looked at
  });
  await raw.closed;
  expect(raw.closeMessage?.code).toBe(ErrorCode.RATE_LIMITED);
  expect(raw.messages.filter((m) => m.kind === 0)).toHaveLength(3);
  // The channel's copy and a view or two of the decoder; none for the 500 bins after the limit
  // (decoding on made 500 more).
  expect(Probe.views).toBeLessThan(10);
});
