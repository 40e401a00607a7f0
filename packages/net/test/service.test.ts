import { ErrorCode } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Service } from '../src/index.ts';
import { setImmediate as turn } from 'node:timers/promises';
import { BatchWriter, encodeFrame } from '@hearth/protocol';
import { Add, Echo, closeOf, collect, newService, nextOpen, serveEcho, trivialProtocol } from './helpers.ts';
import { RawClient } from './RawClient.ts';

// The client side is net's own client mode (service.connect) under test, over the trivial protocol: not @hearth/client.

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !cond(); i++) await turn();
  expect(cond()).toBe(true);
}

const services: Service[] = [];
function svc(...args: Parameters<typeof newService>): Service {
  const s = newService(...args);
  services.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close({ deadlineMs: 1000 })));
});

describe.each(['tcp', 'ws'] as const)('service over %s (trivial protocol)', (transport) => {
  it('connects, echoes pushes and answers requests', async () => {
    const server = svc();
    serveEcho(server);
    const acceptor = await server.accept(`${transport}://127.0.0.1:0`, 'trivial');
    expect(acceptor.port).toBeGreaterThan(0);
    const client = svc();
    const opened = nextOpen(server);
    const ref = await client.connect(acceptor.address, 'trivial', { reconnect: false });
    const serverRef = await opened;
    expect(ref.alive).toBe(true);
    expect(serverRef.alive).toBe(true);
    const got = collect(client, Echo.type);
    for (let i = 0; i < 100; i++) expect(ref.send(Echo, { n: i })).toBe(true);
    const msgs = await got.until(100);
    expect(msgs.map((m) => (m.payload as { n: number }).n)).toEqual([...Array(100).keys()]);
    await expect(ref.request(Add, { a: 2, b: 3 })).resolves.toBe(5);
    const info = ref.info()!;
    expect(info.transport).toBe(transport);
    expect(info.protocol).toBe('trivial');
    expect(info.messagesIn).toBeGreaterThanOrEqual(101);
    expect(server.sessions()).toHaveLength(1);
    expect(server.stats().sessionsOpen).toBe(1);
  });

  it('binary payloads stay intact after their (pooled) read buffers are reused', async () => {
    const server = svc();
    const acceptor = await server.accept(`${transport}://127.0.0.1:0`, 'trivial');
    const kept = collect(server, Echo.type);
    const raw = await RawClient.handshake(acceptor.address, trivialProtocol);
    for (let round = 0; round < 3; round++) {
      const w = new BatchWriter();
      for (let i = 0; i < 10; i++) w.push(Echo.type, { n: round * 10 + i, data: new Uint8Array(1000).fill(round * 10 + i) });
      const frame = encodeFrame(w.take().slice());
      const before = server.stats().bytesIn;
      if (transport === 'tcp') {
        // Split the frame across two reads: TCP assembles it in a pooled buffer.
        raw.sendRaw(frame.subarray(0, 500));
        await until(() => server.stats().bytesIn >= before + 500);
        raw.sendRaw(frame.subarray(500));
      } else {
        raw.sendBody(frame.subarray(4));
      }
      await kept.until((round + 1) * 10);
    }
    if (transport === 'tcp') expect(server.stats().pool.misses).toBeGreaterThan(0);
    for (const m of kept.messages) {
      const { n, data } = m.payload as { n: number; data: Uint8Array };
      expect(data.length).toBe(1000);
      expect(data.every((b) => b === n)).toBe(true);
    }
    raw.destroy();
  });

  it('an unencodable payload is refused without corrupting the batch', async () => {
    const server = svc();
    serveEcho(server);
    const acceptor = await server.accept(`${transport}://127.0.0.1:0`, 'trivial');
    const client = svc();
    const errors: Error[] = [];
    client.sub('error', (ev) => errors.push(ev.error));
    const ref = await client.connect(acceptor.address, 'trivial', { reconnect: false });
    const got = collect(client, Echo.type);
    expect(ref.send(Echo, { n: 1 })).toBe(true);
    expect(ref.send(Echo, { n: 2n ** 70n } as unknown as { n: number })).toBe(false);
    expect(ref.send(Echo, { n: 3 })).toBe(true);
    await expect(ref.request(Add, { a: 2n ** 70n } as unknown as { a: number; b: number })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const msgs = await got.until(2);
    expect(msgs.map((m) => (m.payload as { n: number }).n)).toEqual([1, 3]);
    await expect(ref.request(Add, { a: 1, b: 1 })).resolves.toBe(2);
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['BAD_REQUEST', 'BAD_REQUEST']);
  });

  it('unknown request types get UNKNOWN_TYPE; close is published to id and global subscribers', async () => {
    const server = svc();
    const acceptor = await server.accept(`${transport}://127.0.0.1:0`, 'trivial');
    const client = svc();
    const opened = nextOpen(server);
    const ref = await client.connect(acceptor.address, 'trivial', { reconnect: false });
    const serverRef = await opened;
    await expect(ref.request(Add, { a: 1, b: 1 })).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_TYPE });
    const global: string[] = [];
    server.sub('close', (ev) => global.push(ev.code));
    const own = closeOf(server, serverRef.id);
    const clientSide = closeOf(client, ref.id);
    serverRef.close(ErrorCode.KICKED, 'bye');
    await expect(own).resolves.toMatchObject({ id: serverRef.id, code: 'KICKED', by: 'local' });
    await expect(clientSide).resolves.toMatchObject({ code: 'KICKED', text: 'bye', by: 'remote' });
    expect(global).toEqual(['KICKED']);
    expect(server.stats().closedByCode['KICKED']).toBe(1);
  });
});
