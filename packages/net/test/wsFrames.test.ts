import { ErrorCode } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Service } from '../src/index.ts';
import { Echo, closeOf, collect, newService, nextOpen } from './helpers.ts';

// The server writes its WebSocket frames on the socket itself (one write per batch, the header in
// the 4 bytes reserved before the batch); `ws` on the client side parses them and refuses a bad
// header. Sizes cross each header form: 7-bit length (< 126), 16-bit (< 64 KiB), 64-bit (through `ws`).
const SIZES = [0, 1, 100, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 300, 16_000, 16_400, 65_400, 65_600, 70_000, 300_000];

const services: Service[] = [];
function svc(): Service {
  const s = newService({ limits: { rateLimit: false } });
  services.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close({ deadlineMs: 1000 })));
});

describe.each(['trivial', 'msgpack', 'msgpack+nacl'])('server WebSocket frames written directly (%s)', (protocol) => {
  it('every body size arrives intact and in order, batches and single messages alike', async () => {
    const server = svc();
    const acceptor = await server.accept('ws://127.0.0.1:0', protocol);
    const client = svc();
    const opened = nextOpen(server);
    await client.connect(acceptor.address, protocol, { reconnect: false });
    const ref = await opened;
    const got = collect(client, Echo.type);
    // One message per turn (each its own frame), then all of them in one turn (one batch).
    for (const [i, size] of SIZES.entries()) {
      expect(ref.send(Echo, { n: i, data: new Uint8Array(size).fill(i + 1) })).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const [i, size] of SIZES.entries()) ref.send(Echo, { n: SIZES.length + i, data: new Uint8Array(size).fill(i + 1) });
    const messages = await got.until(2 * SIZES.length);
    expect(messages.map((m) => (m.payload as { n: number }).n)).toEqual([...Array(2 * SIZES.length).keys()]);
    for (const m of messages) {
      const { n, data } = m.payload as { n: number; data: Uint8Array };
      const i = n % SIZES.length;
      expect(data.length).toBe(SIZES[i]);
      expect(data.every((b) => b === i + 1)).toBe(true);
    }
  });

  it('a close sent after messages arrives after them', async () => {
    const server = svc();
    const acceptor = await server.accept('ws://127.0.0.1:0', protocol);
    const client = svc();
    const opened = nextOpen(server);
    const clientRef = await client.connect(acceptor.address, protocol, { reconnect: false });
    const ref = await opened;
    const got = collect(client, Echo.type);
    const closed = closeOf(client, clientRef.id);
    for (let i = 0; i < 5; i++) ref.send(Echo, { n: i, data: new Uint8Array(200) });
    ref.close(ErrorCode.NORMAL, 'bye');
    const event = await closed;
    expect(event.code).toBe(ErrorCode.NORMAL);
    expect(event.by).toBe('remote');
    expect(got.messages.map((m) => (m.payload as { n: number }).n)).toEqual([0, 1, 2, 3, 4]);
  });
});
