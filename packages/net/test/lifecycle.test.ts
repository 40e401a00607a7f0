import { execFileSync } from 'node:child_process';
import { setImmediate as turn } from 'node:timers/promises';
import { BatchWriter, ErrorCode, Kind, encodeFrame } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Service, SessionRef } from '../src/index.ts';
import { Add, Echo, Note, closeOf, collect, newService, nextOpen, serveEcho } from './helpers.ts';
import { RawClient } from './RawClient.ts';
import { TEST_PROTOCOLS } from './protocols.ts';

// Both sides are Services: the session lifecycle in either role (the client mode's redial included), over every test protocol.

const services: Service[] = [];
const raws: RawClient[] = [];
function svc(...args: Parameters<typeof newService>): Service {
  const s = newService(...args);
  services.push(s);
  return s;
}
afterEach(async () => {
  for (const r of raws.splice(0)) r.destroy();
  await Promise.all(services.splice(0).map((s) => s.close({ deadlineMs: 1000 })));
});

/** Waits (turn by turn, no timers) until `cond` holds. */
async function until(cond: () => boolean, turns = 100_000): Promise<void> {
  for (let i = 0; i < turns && !cond(); i++) await turn();
  expect(cond()).toBe(true);
}

describe('every chunking of a stream', () => {
  function stream(): Uint8Array {
    const parts: Uint8Array[] = [encodeFrame(Uint8Array.of(1))]; // trivial hello
    for (let b = 0; b < 3; b++) {
      const w = new BatchWriter();
      for (let i = 0; i < 3; i++) w.push(Echo.type, { n: b * 3 + i, text: 'x'.repeat(b * 7) });
      parts.push(encodeFrame(w.take().slice()));
    }
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  it('yields the same messages for a split at every offset and for 1-byte chunks', async () => {
    // One connection per split, in quick succession from one address.
    const server = svc({ limits: { handshakeRatePerAddress: false } });
    const seen = new Map<number, number[]>();
    server.sub({ message: Echo.type }, (ref, msg) => {
      seen.set(ref.id, [...(seen.get(ref.id) ?? []), (msg.payload as { n: number }).n]);
    });
    const acceptor = await server.accept('tcp://127.0.0.1:0', 'trivial');
    const bytes = stream();
    const expected = [...Array(9).keys()];
    const splits: Array<number[]> = [];
    for (let cut = 1; cut < bytes.length; cut++) splits.push([0, cut, bytes.length]);
    splits.push([...Array(bytes.length + 1).keys()]); // one byte per write
    for (const points of splits) {
      const raw = await RawClient.open(acceptor.address);
      raws.push(raw);
      const before = server.stats().bytesIn;
      const ref = nextOpen(server);
      for (let i = 1; i < points.length; i++) {
        raw.sendRaw(bytes.subarray(points[i - 1], points[i]));
        // Wait until the server has read this piece, so each piece is its own read.
        await until(() => server.stats().bytesIn >= before + points[i]!);
      }
      const id = (await ref).id;
      await until(() => (seen.get(id)?.length ?? 0) >= 9);
      expect(seen.get(id)).toEqual(expected);
      raw.destroy();
    }
  });
});

describe.each(['tcp', 'ws'] as const)('lifecycle over %s', (transport) => {
  describe.each(TEST_PROTOCOLS)('protocol %s', (protocol) => {
    it('refs used after close fail cleanly', async () => {
      const server = svc();
      const acceptor = await server.accept(`${transport}://127.0.0.1:0`, protocol);
      const client = svc();
      const opened = nextOpen(server);
      const ref = await client.connect(acceptor.address, protocol, { reconnect: false });
      const serverRef = await opened;
      // A request pending at close time rejects with CLOSED.
      server.sub({ message: Add.type }, () => {}); // handled, never answered
      const pending = ref.request(Add, { a: 1, b: 2 });
      await until(() => server.stats().messagesIn >= 1);
      const closed = closeOf(client, ref.id);
      ref.close(ErrorCode.NORMAL, 'done');
      ref.close(ErrorCode.NORMAL, 'twice is fine');
      await expect(pending).rejects.toMatchObject({ code: ErrorCode.CLOSED });
      await closed;
      expect(ref.alive).toBe(false);
      expect(ref.info()).toBeUndefined();
      expect(ref.send(Echo, { n: 1 })).toBe(false);
      expect(ref.reply(1, null)).toBe(false);
      expect(ref.replyError(1, 'X', 'y')).toBe(false);
      expect(ref.sendEncoded(Uint8Array.of(0x90))).toBe(false);
      expect(ref.ping()).toBe(false);
      await expect(ref.request(Add, { a: 1, b: 2 })).rejects.toMatchObject({ code: ErrorCode.CLOSED });
      const again = client.acquire(ref.id);
      expect(again.alive).toBe(false);
      expect(client.acquire(123456).send(Echo, { n: 1 })).toBe(false);
      await expect(closeOf(server, serverRef.id)).resolves.toMatchObject({ code: ErrorCode.NORMAL });
      expect(serverRef.alive).toBe(false);
      // A close subscription for a gone id is told at once.
      await expect(closeOf(client, ref.id)).resolves.toMatchObject({ code: ErrorCode.CLOSED });
    });

    it('shutdown with queued pushes loses none', async () => {
      const server = svc();
      const acceptor = await server.accept(`${transport}://127.0.0.1:0`, protocol);
      const client = svc();
      const opened = nextOpen(server);
      const ref = await client.connect(acceptor.address, protocol, { reconnect: false });
      const serverRef = await opened;
      const got = collect(client, Note.type);
      const closed = closeOf(client, ref.id);
      const N = 20_000;
      for (let i = 0; i < N; i++) serverRef.send(Note, { i });
      await server.close();
      const ev = await closed;
      expect(ev.code).toBe(ErrorCode.SHUTDOWN);
      expect(got.messages).toHaveLength(N);
      expect(got.messages.every((m, i) => (m.payload as { i: number }).i === i)).toBe(true);
      await expect(server.close()).resolves.toBeUndefined(); // idempotent
      await expect(server.accept(`${transport}://127.0.0.1:0`, protocol)).rejects.toMatchObject({ code: ErrorCode.CLOSED });
    });

    it('reconnects after the server restarts', async () => {
      const server1 = svc();
      serveEcho(server1);
      const acceptor = await server1.accept(`${transport}://127.0.0.1:0`, protocol);
      const client = svc();
      const ref1 = await client.connect(acceptor.address, protocol, {
        reconnect: { initialDelayMs: 10, maxDelayMs: 50, maxAttempts: 200 },
      });
      await expect(ref1.request(Add, { a: 1, b: 1 })).resolves.toBe(2);
      const lost = closeOf(client, ref1.id);
      const reopened = nextOpen(client);
      await server1.close();
      expect((await lost).code).toBe(ErrorCode.SHUTDOWN);
      const server2 = svc();
      serveEcho(server2);
      await server2.accept(acceptor.address, protocol); // same port
      const ref2: SessionRef = await reopened;
      expect(ref2.id).not.toBe(ref1.id);
      expect(ref1.alive).toBe(false);
      await expect(ref2.request(Add, { a: 2, b: 2 })).resolves.toBe(4);
      expect(client.stats().connected).toBeGreaterThanOrEqual(2);
    });

    it('answers pings with pongs and counts them as traffic', async () => {
      const server = svc();
      const acceptor = await server.accept(`${transport}://127.0.0.1:0`, protocol);
      const raw = await RawClient.handshake(acceptor.address, server.protocols.get(protocol));
      raws.push(raw);
      await until(() => server.sessions().length === 1);
      const before = server.sessions()[0]!.lastInboundAt;
      raw.sendBatch((w) => w.ping(4242));
      await until(() => raw.messages.length === 1);
      expect(raw.messages[0]).toEqual({ kind: Kind.PONG, t: 4242 });
      expect(server.sessions()[0]!.lastInboundAt).toBeGreaterThanOrEqual(before);
      expect(server.sessions()[0]!.messagesIn).toBe(1);
    });
  });
});

describe('many sessions', () => {
  it('holds 2,000 concurrent connections, broadcasts once-encoded, and disconnects by predicate', async () => {
    // Each connection costs 2 descriptors here (both ends in this process).
    const limit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
    const N = Number.isFinite(limit) && limit < 4200 ? Math.floor((limit - 200) / 2) : 2000;
    expect(N).toBeGreaterThan(100);
    // All from 127.0.0.1: the per-address limits would refuse most of them.
    const server = svc({ limits: { maxConnectionsPerAddress: false, handshakeRatePerAddress: false } });
    const acceptor = await server.accept('tcp://127.0.0.1:0', 'trivial');
    const client = svc();
    const got = collect(client, Note.type);
    const refs: SessionRef[] = [];
    for (let i = 0; i < N; i += 250) {
      const batch = Array.from({ length: Math.min(250, N - i) }, () =>
        client.connect(acceptor.address, 'trivial', { reconnect: false }),
      );
      refs.push(...(await Promise.all(batch)));
    }
    await until(() => server.stats().sessionsOpen === N);
    expect(new Set(refs.map((r) => r.id)).size).toBe(N);
    const ids = server.sessions().map((s) => s.id);
    expect(server.broadcast(ids, Note, { i: 7 })).toBe(N);
    await got.until(N);
    expect(got.messages.every((m) => (m.payload as { i: number }).i === 7)).toBe(true);
    const half = new Set(ids.slice(0, N / 2));
    expect(server.disconnectIf((s) => half.has(s.id), ErrorCode.HEARTBEAT_TIMEOUT)).toBe(N / 2);
    await until(() => client.stats().sessionsOpen === N / 2);
    expect(client.stats().closedByCode['HEARTBEAT_TIMEOUT']).toBe(N / 2);
  }, 30_000);
});
