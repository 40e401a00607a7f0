import { ErrorCode, HearthError } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { HearthClient } from '@hearth/client';
import type { Limits } from '@hearth/net';
import { ChatLine, Echo, Fail, Say, Subscribe, startNode, type TestNode } from './support/game.ts';
import { cleanup, clientOf, next, recordEvents, track, urlOf, type TransportName } from './support/clients.ts';

afterEach(cleanup);

async function node(protocol: 'msgpack' | 'msgpack+nacl' = 'msgpack+nacl', limits?: Limits): Promise<TestNode> {
  const n = await startNode({ protocol, ...(limits && { limits }) });
  track(() => n.close());
  return n;
}

describe.each<[TransportName, 'msgpack' | 'msgpack+nacl']>([
  ['tcp', 'msgpack+nacl'],
  ['ws', 'msgpack+nacl'],
  ['tcp', 'msgpack'],
  ['ws', 'msgpack'],
])('over %s with %s', (transport, protocol) => {
  it('connects, logs in, requests, sends and receives typed pushes', async () => {
    const n = await node(protocol);
    const client = clientOf(n, transport, { protocol });
    const events = recordEvents(client);
    await client.connect();
    expect(client.state).toBe('open');
    const me = await client.login({ name: 'ada' });
    expect(me).toMatchObject({ userId: 'ada' });
    expect(client.userId).toBe('ada');
    expect(client.resumeToken).toBe(me.resumeToken);
    await expect(client.request(Echo, { n: 7 })).resolves.toEqual({ n: 7 });
    await client.request(Subscribe, { room: 'r' });
    const heard: string[] = [];
    const got = new Promise<void>((resolve) =>
      client.on(ChatLine, (line) => {
        heard.push(`${line.seq} ${line.text}`);
        if (heard.length === 2) resolve();
      }),
    );
    expect(client.send(Say, { room: 'r', text: 'hello' })).toBe(true);
    await new Promise<void>((resolve) => {
      const off = client.on(ChatLine, () => {
        off();
        resolve();
      });
    });
    n.chat('r', 'from the server');
    await got;
    expect(heard).toEqual(['1 ada: hello', '2 from the server']);
    client.close();
    expect(client.state).toBe('closed');
    expect(events).toEqual(['connected', 'closed NORMAL']);
  });

  it("fails connect() with the server's refusal code (SERVER_FULL), sent before the hello is read", async () => {
    const n = await node(protocol, { maxConnections: 1 });
    await clientOf(n, transport, { protocol }).connect();
    const refused = clientOf(n, transport, { protocol });
    await expect(refused.connect()).rejects.toMatchObject({ code: ErrorCode.SERVER_FULL });
    expect(refused.state).toBe('closed');
  });

  it('rejects a request with the coded error the server sent', async () => {
    const n = await node(protocol);
    const client = clientOf(n, transport, { protocol });
    await client.connect();
    await expect(client.request(Echo, { n: 1 })).rejects.toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
    await client.login({ name: 'bo' });
    const failed = client.request(Fail, { code: 'NOT_YOUR_TURN' });
    await expect(failed).rejects.toBeInstanceOf(HearthError);
    await expect(failed).rejects.toMatchObject({ code: 'NOT_YOUR_TURN' });
  });
});

describe('handshake and configuration', () => {
  it('refuses a server whose welcome is not signed by the pinned key (TCP and WS)', async () => {
    const n = await node();
    const other = await node();
    for (const transport of ['tcp', 'ws'] as const) {
      const client = clientOf(n, transport, { serverKey: other.publicKeyHex });
      const closed = next(client, 'closed');
      await expect(client.connect()).rejects.toMatchObject({ code: ErrorCode.HANDSHAKE_FAILED });
      await expect(closed).resolves.toMatchObject({ code: ErrorCode.HANDSHAKE_FAILED });
      expect(client.state).toBe('closed');
    }
  });

  it('says which protocol to use on a plain/secure mismatch', async () => {
    const n = await node('msgpack');
    const client = clientOf(n, 'tcp');
    await expect(client.connect()).rejects.toThrow(/plain protocol/);
  });

  it('needs a pinned key for the secure protocol unless told otherwise', async () => {
    expect(() => new HearthClient({ url: 'ws://127.0.0.1:1' })).toThrow(/serverKey/);
    expect(() => new HearthClient({ url: 'ws://127.0.0.1:1', serverKey: 'abc' })).toThrow(/64 hex digits/);
    expect(() => new HearthClient({ url: 'nonsense' })).toThrow(/bad url/);
    const n = await node();
    const client = clientOf(n, 'ws', { serverKey: undefined, allowUnpinned: true });
    await client.connect();
    await expect(client.login({ name: 'cy' })).resolves.toMatchObject({ userId: 'cy' });
  });

  it('rejects connect with CLOSED when nothing listens, and fires closed once', async () => {
    const n = await node();
    const port = n.tcpPort;
    await n.close();
    const client = new HearthClient({ url: urlOf('tcp', port), allowUnpinned: true });
    const events = recordEvents(client);
    await expect(client.connect()).rejects.toMatchObject({ code: ErrorCode.CLOSED });
    expect(events).toEqual(['closed CLOSED']);
    await expect(client.request(Echo, { n: 1 })).rejects.toMatchObject({ code: ErrorCode.CLOSED });
  });

  it('fails requests made before connect() with USAGE, and close() fails the pending ones', async () => {
    const n = await node();
    const client = clientOf(n, 'tcp');
    await expect(client.request(Echo, { n: 1 })).rejects.toMatchObject({ code: 'USAGE' });
    await client.connect();
    await client.login({ name: 'dee' });
    const pending = client.request(Subscribe, { room: 'x' }, { timeoutMs: 60_000 });
    client.close();
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.CLOSED });
    expect(client.send(Say, { room: 'x', text: 'late' })).toBe(false);
  });
});
