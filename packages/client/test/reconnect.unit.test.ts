import { ErrorCode, Kind, defineMessage, type Message } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { HearthClient, backoffDelay, isRetryable, resolveReconnect, type ClientOptions } from '../src/index.ts';
import { cleanup, recordEvents, track } from './support/clients.ts';
import { ManualClock } from './support/ManualClock.ts';
import { MemoryServer, type MemoryPeer } from './support/MemoryServer.ts';

afterEach(cleanup);

const Get = defineMessage<{ k: string }, { v: string }>(100, 'test.get', { idempotent: true });
const Put = defineMessage<{ k: string }, { ok: boolean }>(101, 'test.put');
const Note = defineMessage<{ n: number }>(102, 'test.note');
const Ask = defineMessage<{ q: string }, { a: string }>(103, 'test.ask');

interface Harness {
  clock: ManualClock;
  server: MemoryServer;
  client: HearthClient;
  events: string[];
  /** How the memory server answers `resume`: a new token, or an error code. */
  resumeAnswer: string;
}

/** A client on an in-memory server that answers login and resume, with a manual clock and random = 0. */
async function harness(options: Partial<ClientOptions> = {}): Promise<Harness> {
  const clock = new ManualClock();
  const server = new MemoryServer();
  let tokens = 0;
  const h = { clock, server, resumeAnswer: 'token' } as Harness;
  server.onMessage = (msg: Message, peer: MemoryPeer) => {
    if (msg.kind !== Kind.REQUEST) return;
    if (msg.type === 1) peer.send((w) => w.reply(msg.rid, { userId: 'ada', resumeToken: `t${++tokens}` }));
    if (msg.type === 2) {
      if (h.resumeAnswer === 'token') peer.send((w) => w.reply(msg.rid, { userId: 'ada', resumeToken: `t${++tokens}` }));
      else peer.send((w) => w.error(msg.rid, h.resumeAnswer, 'refused by the test'));
    }
  };
  h.client = new HearthClient({
    url: 'tcp://memory:1',
    protocol: 'msgpack',
    transport: server.transport,
    clock,
    random: () => 0,
    pingIntervalMs: 1_000,
    heartbeatTimeoutMs: 3_000,
    ...options,
  });
  track(() => h.client.close());
  h.events = recordEvents(h.client);
  const connected = h.client.connect();
  await clock.advance(0);
  await connected;
  return h;
}

async function loggedIn(options: Partial<ClientOptions> = {}): Promise<Harness> {
  const h = await harness(options);
  const login = h.client.login({ name: 'ada' });
  await h.clock.advance(0);
  await login;
  return h;
}

describe('backoff', () => {
  it('grows exponentially up to the cap, jittered down by the injected random', () => {
    const policy = resolveReconnect({ initialDelayMs: 100, maxDelayMs: 1_000, jitter: 0.5 });
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 0.999999))).toEqual([50, 100, 200, 400, 500]);
    expect(() => resolveReconnect({ jitter: 2 })).toThrow(/jitter/);
  });

  it('names the retryable codes', () => {
    expect(isRetryable('DISCONNECTED')).toBe(true);
    expect(isRetryable(ErrorCode.TIMEOUT)).toBe(true);
    expect(isRetryable(ErrorCode.BAD_REQUEST)).toBe(false);
  });
});

describe('reconnect and resume (in-memory server, manual clock)', () => {
  it('redials after the backoff delay and resumes with the latest token', async () => {
    const h = await loggedIn();
    expect(h.client.resumeToken).toBe('t1');
    h.server.last.drop(undefined);
    await h.clock.advance(0);
    expect(h.events).toEqual(['connected', 'disconnected CLOSED']);
    expect(h.client.state).toBe('reconnecting');
    await h.clock.advance(99);
    expect(h.server.dials).toBe(1);
    await h.clock.advance(1);
    expect(h.server.dials).toBe(2);
    const resume = h.server.last.received.find((m) => m.kind === Kind.REQUEST && m.type === 2);
    expect(resume).toMatchObject({ payload: { token: 't1' } });
    expect(h.events).toEqual(['connected', 'disconnected CLOSED', 'resumed']);
    expect(h.client.resumeToken).toBe('t2');
    expect(h.client.state).toBe('open');
  });

  it('delivers the pushes behind the resume reply after "resumed", in order', async () => {
    const h = await loggedIn();
    const order: string[] = [];
    h.client.on('resumed', () => order.push('resumed'));
    h.client.on(Note, ({ n }) => order.push(`note ${n}`));
    h.resumeAnswer = 'manual';
    h.server.onMessage = (msg, peer) => {
      if (msg.kind === Kind.REQUEST && msg.type === 2) {
        peer.send((w) => {
          w.reply(msg.rid, { userId: 'ada', resumeToken: 't9' });
          for (let n = 1; n <= 3; n++) w.push(Note.type, { n });
        });
      }
    };
    h.server.last.drop(undefined);
    await h.clock.advance(100);
    expect(order).toEqual(['resumed', 'note 1', 'note 2', 'note 3']);
  });

  it('fails an in-flight request with DISCONNECTED, re-sends an idempotent one, and sends those made meanwhile', async () => {
    const h = await loggedIn();
    const put = outcome(h.client.request(Put, { k: 'a' }));
    const get = h.client.request(Get, { k: 'a' });
    await h.clock.advance(0);
    h.server.last.drop(undefined);
    await h.clock.advance(0);
    expect(await put).toMatchObject({ code: 'DISCONNECTED' });
    const later = h.client.request(Put, { k: 'b' });
    expect(h.client.send(Note, { n: 1 })).toBe(false);
    h.server.onMessage = (msg, peer) => {
      if (msg.kind !== Kind.REQUEST) return;
      if (msg.type === 2) peer.send((w) => w.reply(msg.rid, { userId: 'ada', resumeToken: 't5' }));
      if (msg.type === Get.type) peer.send((w) => w.reply(msg.rid, { v: 'A' }));
      if (msg.type === Put.type) peer.send((w) => w.reply(msg.rid, { ok: true }));
    };
    await h.clock.advance(100);
    await expect(get).resolves.toEqual({ v: 'A' });
    await expect(later).resolves.toEqual({ ok: true });
    const types = h.server.last.received.filter((m) => m.kind === Kind.REQUEST).map((m) => (m as { type: number }).type);
    expect(types).toEqual([2, Get.type, Put.type]); // resume first, then the waiting requests in order
  });

  it('gives up after the retry budget with one final "closed" carrying the last code', async () => {
    const h = await loggedIn({ reconnect: { maxAttempts: 4 } });
    const pending = outcome(h.client.request(Get, { k: 'x' }, { timeoutMs: 60_000 }));
    h.server.refuse = ErrorCode.CLOSED;
    h.server.last.drop(undefined);
    await h.clock.advance(0);
    const dialsAt: number[] = [];
    for (let t = 0; t < 5_000; t += 50) {
      const before = h.server.dials;
      await h.clock.advance(50);
      if (h.server.dials > before) dialsAt.push(t + 50);
    }
    expect(dialsAt).toEqual([100, 300, 700, 1500]); // 100, 200, 400, 800 apart
    expect(h.events).toEqual(['connected', 'disconnected CLOSED', 'closed CLOSED']);
    expect(h.client.closeInfo?.text).toMatch(/gave up after 4 attempt/);
    expect(await pending).toMatchObject({ code: ErrorCode.CLOSED });
  });

  it('gives up when the time budget (the grace period) is spent', async () => {
    const h = await loggedIn({ reconnect: { maxElapsedMs: 3_000 } });
    h.server.refuse = ErrorCode.SERVER_FULL;
    h.server.last.drop(undefined);
    await h.clock.advance(10_000);
    expect(h.events.at(-1)).toBe('closed SERVER_FULL');
    expect(h.server.dials).toBeLessThan(10);
  });

  it('does not redial after KICKED, and closes with RESUME_REFUSED when the token is refused', async () => {
    const kicked = await loggedIn();
    kicked.server.last.send((w) => w.close(ErrorCode.KICKED, 'logged in elsewhere'));
    await kicked.clock.advance(5_000);
    expect(kicked.events).toEqual(['connected', 'disconnected KICKED', 'closed KICKED']);
    expect(kicked.server.dials).toBe(1);

    const refused = await loggedIn();
    refused.resumeAnswer = ErrorCode.UNAUTHENTICATED;
    refused.server.last.drop(undefined);
    await refused.clock.advance(5_000);
    expect(refused.events).toEqual(['connected', 'disconnected CLOSED', 'closed RESUME_REFUSED']);
    expect(refused.server.dials).toBe(2);
  });

  it('retries a resume refused because the old session still looks active', async () => {
    const h = await loggedIn();
    h.resumeAnswer = 'SESSION_ACTIVE';
    h.server.last.drop(undefined);
    await h.clock.advance(100);
    expect(h.server.dials).toBe(2);
    h.resumeAnswer = 'token';
    await h.clock.advance(1_000);
    expect(h.events).toEqual(['connected', 'disconnected CLOSED', 'resumed']);
  });

  it('redials before login without resuming, emitting "connected" again', async () => {
    const h = await harness();
    h.server.last.drop(ErrorCode.SHUTDOWN);
    await h.clock.advance(100);
    expect(h.events).toEqual(['connected', 'disconnected SHUTDOWN', 'connected']);
    expect(h.server.last.received.some((m) => m.kind === Kind.REQUEST)).toBe(false);
  });

  it('resumes a session kept from before (a page reload) on connect, or rejects RESUME_REFUSED', async () => {
    const token = 'kept-in-session-storage';
    const h = await harness({ resumeToken: token });
    expect(h.events).toEqual(['resumed']);
    expect(h.server.last.received[0]).toMatchObject({ kind: Kind.REQUEST, type: 2, payload: { token } });
    expect(h.client.userId).toBe('ada');
    expect(h.client.resumeToken).toBe('t1'); // the new token the server issued

    const clock = new ManualClock();
    const server = new MemoryServer();
    server.onMessage = (msg, peer) => {
      if (msg.kind === Kind.REQUEST) peer.send((w) => w.error(msg.rid, ErrorCode.UNAUTHENTICATED, 'unknown or expired resume token'));
    };
    const stale = new HearthClient({ url: 'tcp://m:1', protocol: 'msgpack', transport: server.transport, clock, random: () => 0, resumeToken: 'old' });
    const connecting = outcome(stale.connect());
    await clock.advance(0);
    expect(await connecting).toMatchObject({ code: 'RESUME_REFUSED' });
  });

  it('retries the first connect only with retryFirst', async () => {
    const clock = new ManualClock();
    const server = new MemoryServer();
    server.refuse = ErrorCode.CLOSED;
    const once = new HearthClient({ url: 'tcp://m:1', protocol: 'msgpack', transport: server.transport, clock, random: () => 0 });
    await expect(once.connect()).rejects.toMatchObject({ code: ErrorCode.CLOSED });
    expect(server.dials).toBe(1);
    const retrying = new HearthClient({
      url: 'tcp://m:1',
      protocol: 'msgpack',
      transport: server.transport,
      clock,
      random: () => 0,
      reconnect: { retryFirst: true },
    });
    track(() => retrying.close());
    const connected = retrying.connect();
    await clock.advance(300);
    server.refuse = undefined;
    await clock.advance(400);
    await connected;
    expect(server.dials).toBe(1 + 4); // at 0, 100, 300, 700
  });
});

describe('several addresses', () => {
  it('moves to the next address when a dial fails, and resumes there', async () => {
    const h = await loggedIn({ url: ['tcp://node-a:1', 'tcp://node-b:1'] });
    expect(h.client.url).toBe('tcp://node-a:1');
    h.server.down = 'node-a';
    h.server.last.drop(undefined);
    await h.clock.advance(100 + 200);
    expect(h.server.dialled).toEqual(['tcp://node-a:1', 'tcp://node-a:1', 'tcp://node-b:1']);
    expect(h.events).toEqual(['connected', 'disconnected CLOSED', 'resumed']);
    expect(h.client.url).toBe('tcp://node-b:1');
  });

  it('counts traffic into a shared stats object', async () => {
    const stats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
    const a = await loggedIn({ stats });
    await loggedIn({ stats });
    expect(a.client.stats).toBe(stats);
    // two logins: one request out and one reply in each
    expect(stats).toMatchObject({ messagesIn: 2, messagesOut: 2 });
    expect(stats.bytesIn).toBeGreaterThan(0);
    expect(stats.bytesOut).toBeGreaterThan(0);
  });
});

describe('heartbeat (manual clock)', () => {
  it('pings when idle and detects a half-open connection by its heartbeat timeout', async () => {
    const h = await loggedIn({ reconnect: false });
    await h.clock.advance(1_000);
    expect(h.server.last.received.filter((m) => m.kind === Kind.PING).length).toBeGreaterThanOrEqual(1);
    await h.clock.advance(2_500);
    expect(h.events).toEqual(['connected']); // pongs keep it alive
    h.server.last.deaf = true;
    await h.clock.advance(2_000); // the last pong came at most 500 ms before the peer went deaf
    expect(h.events).toEqual(['connected']);
    await h.clock.advance(1_000);
    expect(h.events).toEqual(['connected', 'disconnected HEARTBEAT_TIMEOUT', 'closed HEARTBEAT_TIMEOUT']);
  });
});

describe('requests from the server', () => {
  it('answers with the typed handler, and UNKNOWN_TYPE without one', async () => {
    const h = await loggedIn();
    h.client.handle(Ask, ({ q }) => ({ a: q.toUpperCase() }));
    const answers: Message[] = [];
    h.server.onMessage = (msg) => {
      if (msg.kind === Kind.REPLY || msg.kind === Kind.ERROR) answers.push(msg);
    };
    h.server.last.send((w) => {
      w.request(Ask.type, { q: 'hi' }, 7);
      w.request(999, {}, 8);
    });
    await h.clock.advance(0);
    expect(answers).toEqual([
      { kind: Kind.ERROR, rid: 8, code: ErrorCode.UNKNOWN_TYPE, text: expect.any(String) },
      { kind: Kind.REPLY, rid: 7, payload: { a: 'HI' } },
    ]);
  });
});

/** A promise's rejection reason (or its value), caught at once so it is never unhandled. */
function outcome(p: Promise<unknown>): Promise<unknown> {
  return p.then((v) => v, (e: unknown) => e);
}

