import { ClientErrorCode } from '@hearth/client';
import { ErrorCode, RoomJoin } from '@hearth/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Mirror } from '@hearth/state';
import { ArenaErrorCode, ArenaState, Chat, ChatLine, Leaderboard, MemberLeft, Move, Tag, WhereAmI, Whisper, Whispered } from '../src/arena/messages.ts';
import { startArena, type ArenaProcess, type Listening } from './fixtures/arenaProcess.ts';
import { TestClients } from './fixtures/testClients.ts';
import { canStopRedis, startRedis, type TestRedis } from '@hearth/actor/testing';

/** Heartbeat of the test nodes: a dead node lapses after 3 × this. */
const HEARTBEAT_MS = 300;

interface NodesView {
  nodeId: string | null;
  mode: string;
  available: boolean;
  nodes: Array<{ nodeId: string; pid: number; users: number }>;
}

async function nodesOf(l: Listening): Promise<{ status: number; body: NodesView }> {
  const res = await fetch(`${l.admin}/nodes`);
  return { status: res.status, body: (await res.json()) as NodesView };
}

/** The player actors of a node (`/sessions`): user and statechart state. */
async function sessionsOf(l: Listening): Promise<{ user: string | null; state: unknown }[]> {
  const res = await fetch(`${l.admin}/sessions`);
  return ((await res.json()) as { sessions: { user: string | null; state: unknown }[] }).sessions;
}

describe('Arena cluster: real server processes, one real Redis', () => {
  let redis: TestRedis;
  /** One node's flags; `scope`: a key prefix of its own (each test's cluster starts with an empty directory). */
  const nodeArgs = (scope = '') => ['--redis', redis.url, '--redis-prefix', `${redis.prefix}${scope}`, '--protocol', 'msgpack', '--spawn', '500,500', '--cluster-heartbeat-ms', String(HEARTBEAT_MS)];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis[Symbol.asyncDispose]();
  });

  describe('two nodes', () => {
    let a: ArenaProcess;
    let b: ArenaProcess;
    let la: Listening;
    let lb: Listening;
    beforeAll(async () => {
      a = startArena(nodeArgs());
      b = startArena(nodeArgs());
      [la, lb] = await Promise.all([a.listening, b.listening]);
    });
    afterAll(async () => {
      const [ea, eb] = await Promise.all([a.stop(), b.stop()]);
      expect(ea.code, a.stderr()).toBe(0); // graceful shutdown in order: node, rooms, sockets, backplane
      expect(eb.code, b.stderr()).toBe(0);
    });

    it('lists both live nodes in /nodes', async () => {
      expect(la.node).not.toBe(lb.node);
      const { status, body } = await nodesOf(la);
      expect(status).toBe(200);
      expect(body).toMatchObject({ mode: 'redis', nodeId: la.node, available: true });
      expect(body.nodes.map((n) => n.nodeId).sort()).toEqual([la.node, lb.node].sort());
    });

    it('players on node A and node B share one room: moves, chat, tags and one leaderboard', async () => {
      await using clients = new TestClients();
      const ann = await clients.login(la.tcp, 'ann');
      const bob = await clients.login(lb.tcp, 'bob');
      const ja = await ann.join();
      const jb = await bob.join();
      expect(jb.roomId).toBe(ja.roomId); // matched across nodes into the room ann opened on A
      await bob.sees(ja.you, (p) => p.name === 'ann');

      // moves: each sees the other's in its mirror of the room's state (A's patches, one PUBLISH to B)
      bob.send(Move, { x: 510, y: 500 }); // forwarded to A, where the room runs
      await ann.sees(jb.you, (p) => p.x === 510 && p.y === 500);
      ann.send(Move, { x: 490, y: 500 });
      await bob.sees(ja.you, (p) => p.x === 490 && p.y === 500);

      // chat both ways
      bob.send(Chat, { text: 'hi from B' });
      expect(await ann.next(ChatLine)).toEqual({ from: jb.you, name: 'bob', text: 'hi from B' });
      ann.send(Chat, { text: 'hi from A' });
      expect(await bob.next(ChatLine, (c) => c.name === 'ann')).toMatchObject({ text: 'hi from A' });

      // a tag from B answered by the room on A; the shared leaderboard seen from both nodes
      await expect(bob.ask(Tag, { target: ja.you })).resolves.toEqual({ score: 1 });
      await expect(bob.ask(Tag, { target: ja.you })).rejects.toMatchObject({ code: ArenaErrorCode.TAG_COOLDOWN });
      await vi.waitFor(async () => expect(await ann.client.request(Leaderboard, { top: 5 })).toEqual({ entries: [{ name: 'bob', score: 1 }] }));
      await vi.waitFor(async () => expect(await bob.client.request(Leaderboard, { top: 5 })).toEqual({ entries: [{ name: 'bob', score: 1 }] }));

      // bob leaves: the room on A tells ann
      bob.client.close(ErrorCode.NORMAL, 'bye');
      expect(await ann.next(MemberLeft)).toEqual({ pid: jb.you });
    });

    it('sends to a user on the other node; false for a user logged in nowhere', async () => {
      await using clients = new TestClients();
      const cat = await clients.login(la.tcp, 'cat');
      const dan = await clients.login(lb.tcp, 'dan');
      await expect(dan.client.request(Whisper, { to: 'cat', text: 'psst' })).resolves.toEqual({ delivered: true });
      expect(await cat.next(Whispered)).toEqual({ from: 'dan', text: 'psst' });
      await expect(cat.client.request(Whisper, { to: 'nobody', text: 'hello?' })).resolves.toEqual({ delivered: false });
      // a malformed target is refused before it becomes a directory lookup (a Redis key name)
      for (const to of ['*', 'a{b}', 'x'.repeat(65), 'a\nb', '']) {
        await expect(cat.client.request(Whisper, { to, text: 'hi' })).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
      }
    });

    it('a duplicate login on the other node kicks the older session (KICKED)', async () => {
      await using clients = new TestClients();
      const first = await clients.login(la.tcp, 'eve');
      const second = await clients.login(lb.tcp, 'eve');
      expect(await first.closed).toMatchObject({ code: ErrorCode.KICKED });
      // the newer session is the one reachable from anywhere
      const fay = await clients.login(la.tcp, 'fay');
      await expect(fay.client.request(Whisper, { to: 'eve', text: 'still there?' })).resolves.toEqual({ delivered: true });
      expect(await second.next(Whispered)).toEqual({ from: 'fay', text: 'still there?' });
    });

    it('resumes on the other node: pushes queued meanwhile arrive in order, then it joins its room again from there', async () => {
      await using clients = new TestClients();
      const gus = await clients.login(la.tcp, 'gus');
      const hal = await clients.login(lb.tcp, 'hal');
      const jg = await gus.join();
      const jh = await hal.join();
      expect(jh.roomId).toBe(jg.roomId);
      gus.client.close(ErrorCode.CLOSED); // a dropped link: gus's actor waits on A (grace), parked in Redis
      // Whisper once A has seen the drop (gus's actor in grace, or parked): a push written to the dying link is lost with it.
      const gusOnA = async () => (await sessionsOf(la)).filter((s) => s.user === 'gus').map((s) => s.state);
      await vi.waitFor(async () => expect((await gusOnA()).filter((state) => state !== 'disconnected')).toEqual([]), { timeout: 10_000, interval: 50 });
      for (let i = 1; i <= 3; i++) await expect(hal.client.request(Whisper, { to: 'gus', text: `m${i}` })).resolves.toEqual({ delivered: true });

      const back = await clients.resume(lb.tcp, gus.reply.resumeToken); // on B, not on A
      expect(back.reply).toMatchObject({ userId: 'gus' });
      const got = [await back.next(Whispered), await back.next(Whispered), await back.next(Whispered)];
      expect(got.map((m) => m.text)).toEqual(['m1', 'm2', 'm3']);
      // it left the room through A and joins it again from B (what the client's room handle does):
      // same room, a new seat; its chat reaches hal, its moves are seen
      const again = await back.join(jg.roomId);
      expect(again.roomId).toBe(jg.roomId);
      back.send(Chat, { text: 'back on B' });
      expect(await hal.next(ChatLine, (c) => c.name === 'gus' && c.text === 'back on B')).toMatchObject({ from: again.you });
      back.send(Move, { x: 520, y: 500 });
      await hal.sees(again.you, (p) => p.x === 520 && p.y === 500);
    });
  });

  describe('two nodes, synchronised state', () => {
    let a: ArenaProcess;
    let b: ArenaProcess;
    let la: Listening;
    let lb: Listening;
    const args = () => ['--redis', redis.url, '--redis-prefix', `${redis.prefix}sync:`, '--protocol', 'msgpack', '--spawn', '500,500', '--cluster-heartbeat-ms', String(HEARTBEAT_MS)];
    beforeAll(async () => {
      a = startArena(args());
      b = startArena(args());
      [la, lb] = await Promise.all([a.listening, b.listening]);
    });
    afterAll(async () => {
      await Promise.all([a.stop(), b.stop()]);
    });

    it('a player on the other node gets the room state in its join reply, then patches; the full state again by joining again', async () => {
      await using clients = new TestClients();
      const ann = await clients.login(la.tcp, 'ann');
      const bob = await clients.login(lb.tcp, 'bob');
      const ja = await ann.join();
      const jb = await bob.join(); // the room runs on A: the reply crossed Redis
      expect(jb.roomId).toBe(ja.roomId);
      await ann.sees(jb.you, (p) => p.name === 'bob');
      await bob.sees(ja.you, (p) => p.name === 'ann');
      bob.send(Move, { x: 510, y: 500 });
      await ann.sees(jb.you, (p) => p.x === 510);
      await bob.sees(jb.you, (p) => p.x === 510);
      // a client that lost track joins again for the full state: answered by the room's node across Redis
      const full = (await bob.client.request(RoomJoin, { roomId: jb.roomId })).state as Uint8Array;
      const fresh = new Mirror(ArenaState);
      fresh.apply(full);
      expect(fresh.state!.players.get(jb.you)).toMatchObject({ name: 'bob', x: 510, y: 500 });
      expect(fresh.state!.players.get(ja.you)).toMatchObject({ name: 'ann', x: 500, y: 500 });
    });
  });

  it('a killed node: its entries lapse, its resume tokens fail cleanly, its players leave rooms elsewhere', { timeout: 40_000 }, async () => {
    await using a = startArena(nodeArgs('killed:'));
    await using c = startArena(nodeArgs('killed:'));
    const [la, lc] = await Promise.all([a.listening, c.listening]);
    await using clients = new TestClients();
    const ida = await clients.login(la.tcp, 'ida');
    const jon = await clients.login(lc.tcp, 'jon');
    const ji = await ida.join();
    const jj = await jon.join(); // seated in ida's room on A
    expect(jj.roomId).toBe(ji.roomId);
    expect((await nodesOf(la)).body.nodes).toHaveLength(2);

    c.child.kill('SIGKILL'); // no drain: only the TTLs clean up
    expect((await c.exited).signal).toBe('SIGKILL');
    // node registry and directory: jon's node lapses, then jon is logged in nowhere
    await vi.waitFor(async () => expect((await nodesOf(la)).body.nodes.map((n) => n.nodeId)).toEqual([la.node]), { timeout: 10_000, interval: 100 });
    await vi.waitFor(async () => expect(await ida.client.request(Whisper, { to: 'jon', text: 'there?' })).toEqual({ delivered: false }), {
      timeout: 10_000,
      interval: 100,
    });
    // the room on A drops the dead node's member
    expect(await ida.next(MemberLeft)).toEqual({ pid: jj.you });
    // jon's resume token fails cleanly on the surviving node
    await expect(clients.resume(la.tcp, jon.reply.resumeToken)).rejects.toMatchObject({
      code: ClientErrorCode.RESUME_REFUSED,
      message: expect.stringContaining(`(${ErrorCode.UNAUTHENTICATED})`),
    });
  });

  it('a killed room node: a survivor restores the room from its checkpoint, and a player there takes its seat back (onRestore)', { timeout: 60_000 }, async () => {
    await using a = startArena(nodeArgs('restore:'));
    await using b = startArena(nodeArgs('restore:'));
    const [la, lb] = await Promise.all([a.listening, b.listening]);
    await using clients = new TestClients();
    const ann = await clients.login(la.tcp, 'ann');
    const bea = await clients.login(lb.tcp, 'bea');
    const ja = await ann.join(); // the room runs on A
    const jb = await bea.join();
    expect(jb.roomId).toBe(ja.roomId);
    ann.send(Move, { x: 520, y: 500 });
    await expect(ann.ask(Tag, { target: jb.you })).resolves.toEqual({ score: 1 });
    await bea.sees(ja.you, (p) => p.score === 1 && p.x === 520);
    // a membership change checkpoints the room at once (its state has ann's score and position by now)
    const cy = await clients.login(lb.tcp, 'cy');
    expect((await cy.join()).roomId).toBe(ja.roomId);

    a.child.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    // once A's lease lapsed, B restores the room: bea joins it by id on B and is back in its seat
    const back = await vi.waitFor(() => bea.join(ja.roomId), { timeout: 20_000, interval: 250 });
    expect(back).toEqual({ roomId: ja.roomId, you: jb.you, x: 500, y: 500 });
    expect(await bea.sees(ja.you, () => true)).toMatchObject({ name: 'ann', x: 520, score: 1 });
    bea.send(Move, { x: 510, y: 500 });
    expect(await bea.ask(WhereAmI, {})).toMatchObject({ pid: jb.you, x: 510, y: 500 });
  });

  describe.skipIf(!canStopRedis)('Redis stopped mid-run', () => {
    it('local play continues, cross-node calls fail with BACKPLANE_UNAVAILABLE; when Redis is back, cross-node play resumes without restarts', { timeout: 60_000 }, async () => {
      await using a = startArena(nodeArgs('outage:'));
      await using b = startArena(nodeArgs('outage:'));
      const [la, lb] = await Promise.all([a.listening, b.listening]);
      await using clients = new TestClients();
      const kay = await clients.login(la.tcp, 'kay');
      const lou = await clients.login(la.tcp, 'lou');
      const max = await clients.login(lb.tcp, 'max');
      const jk = await kay.join();
      const jl = await lou.join();
      const jm = await max.join();
      expect(new Set([jk.roomId, jl.roomId, jm.roomId]).size).toBe(1); // one room on A, max on B

      await redis.stop();
      await vi.waitFor(async () => expect((await nodesOf(la)).status).toBe(503), { timeout: 10_000, interval: 50 });
      await vi.waitFor(async () => expect((await nodesOf(lb)).status).toBe(503), { timeout: 10_000, interval: 50 });

      // local play on A: moves and chat between kay and lou (both on A, room on A)
      lou.send(Move, { x: 505, y: 500 });
      await kay.sees(jl.you, (p) => p.x === 505 && p.y === 500);
      lou.send(Chat, { text: 'still here' });
      expect(await kay.next(ChatLine, (c) => c.name === 'lou')).toMatchObject({ text: 'still here' });
      await expect(kay.ask(Tag, { target: jl.you })).resolves.toEqual({ score: 1 });
      // cross-node calls fail fast with the coded error
      const t0 = performance.now();
      await expect(kay.client.request(Whisper, { to: 'max', text: 'hello B' })).rejects.toMatchObject({ code: 'BACKPLANE_UNAVAILABLE' });
      await expect(max.ask(Tag, { target: jk.you })).rejects.toMatchObject({ code: 'BACKPLANE_UNAVAILABLE' });
      expect(performance.now() - t0).toBeLessThan(1000);
      // matchmaking is cluster-wide: a new player's joinOrCreate fails fast too, and works once Redis is back
      const ned = await clients.login(lb.tcp, 'ned');
      await expect(ned.join()).rejects.toMatchObject({ code: 'BACKPLANE_UNAVAILABLE' });

      await redis.restart(); // empty: nodes, users, rooms and subscriptions are re-registered by the nodes
      await vi.waitFor(async () => expect(await kay.client.request(Whisper, { to: 'max', text: 'hello again' })).toEqual({ delivered: true }), {
        timeout: 15_000,
        interval: 100,
      });
      expect(await max.next(Whispered)).toEqual({ from: 'kay', text: 'hello again' });
      // the cross-node membership works again: max's moves are forwarded to A, its tags answered there
      max.send(Move, { x: 495, y: 500 });
      await kay.sees(jm.you, (p) => p.x === 495 && p.y === 500);
      await expect(max.ask(Tag, { target: jk.you })).resolves.toEqual({ score: 1 });
      // and matchmaking works again. (Not yet: the room directory is not rebuilt after Redis came
      // back empty, so a join of A's room by id from B is ROOM_NOT_FOUND and oli gets a new room.)
      await vi.waitFor(async () => expect((await nodesOf(la)).body.nodes).toHaveLength(2));
      const oli = await clients.login(lb.tcp, 'oli');
      expect((await oli.join()).roomId).toEqual(expect.any(String));
    });
  });

  it('--workers 2: two nodes share the game ports, each with its own admin port and its own rooms; SIGTERM stops both', { timeout: 40_000 }, async () => {
    const w = startArena([...nodeArgs('workers:'), '--workers', '2']);
    try {
      const all = await w.workers;
      expect(all.nodes).toHaveLength(2);
      expect(new Set(all.admin).size).toBe(2);
      const view = await nodesOf({ admin: all.admin[0]! } as Listening);
      expect(view.body.nodes.map((n) => n.nodeId).sort()).toEqual([...all.nodes].sort());
      await using clients = new TestClients();
      // Round-robin spreads the four logins over both workers, and workers place rooms 'local'
      // (docs/rooms.md §5b): each worker's players fill that worker's own room, two rooms in all.
      const players = [];
      for (const name of ['pat', 'quin', 'rae', 'sol']) players.push(await clients.login(all.tcp, name));
      const joined = [];
      for (const p of players) joined.push(await p.join());
      expect(new Set(joined.map((j) => j.roomId)).size).toBe(2);
      const first = joined[0]!;
      const second = joined.findIndex((j, i) => i > 0 && j.roomId === first.roomId);
      expect(second).toBeGreaterThan(0);
      players[second]!.send(Move, { x: 505, y: 500 });
      await players[0]!.sees(joined[second]!.you, (p) => p.x === 505 && p.y === 500);
    } finally {
      const { code } = await w.stop();
      expect(code).toBe(0);
    }
  });

  it('--workers 2 without Redis: one line naming the flag, exit 2', async () => {
    const w = startArena(['--workers', '2']);
    const { code } = await w.exited;
    expect(code).toBe(2);
    expect(w.stderr()).toMatch(/^hearth-server: --workers 2 needs --redis \(or REDIS_URL\)[^\n]*\n$/);
  });
});
