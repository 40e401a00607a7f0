import { ErrorCode, Kind } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlayerActor } from '../src/player/PlayerActor.ts';
import { ManualClock } from '../src/testing/index.ts';
import { RawClient } from './RawClient.ts';
import {
  Boom,
  Echo,
  Join,
  Note,
  Notice,
  Poke,
  cleanup,
  clientService,
  connect,
  memoryLogger,
  startServer,
  testPlayer,
  until,
  type HookLog,
} from './helpers.ts';

afterEach(cleanup);

describe('player lifecycle over real connections', () => {
  it('logs in, serves the fast path, and shows the actor in snapshots', async () => {
    const log: HookLog = [];
    const { node, port } = await startServer(testPlayer(log));
    const client = await connect(clientService(), port);
    const reply = await client.login('ann');
    expect(reply).toMatchObject({ userId: 'ann', name: 'ann' });
    expect(reply.resumeToken).toMatch(/^[\w-]{24}$/);
    await expect(client.request(Echo, { n: 7 })).resolves.toEqual({ n: 7 });
    const player = node.holder.get('ann');
    expect(player?.data).toEqual({ echoes: 1, room: '' });
    expect(player?.state).toEqual({ active: { heartbeat: 'alive', game: 'lobby' } });
    expect(node.holder.snapshots()).toEqual([
      expect.objectContaining({ userId: 'ann', connected: true, queued: 0, timer: expect.objectContaining({ kind: 'heartbeat' }) }),
    ]);
    expect(log).toEqual([`join ann ${player?.sessionId}`]);
    expect(player?.sessionId).not.toBe(0);
  });

  it('runs the same over the secure protocol (msgpack+nacl): login, fast path, resume', async () => {
    const { node, port } = await startServer(testPlayer(), { protocol: 'msgpack+nacl', timeouts: { grace: 5_000 } });
    const clients = clientService();
    const first = await connect(clients, port, 'msgpack+nacl');
    const { resumeToken } = await first.login('sec');
    await expect(first.request(Echo, { n: 1, data: new Uint8Array(300).fill(1) })).resolves.toMatchObject({ n: 1 });
    first.close(ErrorCode.CLOSED);
    await until(() => node.holder.get('sec')?.connected === false);
    node.holder.send('sec', Notice, { seq: 1 });
    const second = await connect(clients, port, 'msgpack+nacl');
    await expect(second.resume(resumeToken)).resolves.toMatchObject({ userId: 'sec' });
    await expect(second.received(Notice.type, 1)).resolves.toHaveLength(1);
  });

  it('answers UNAUTHENTICATED before login, keeps the session after a refusal, then admits', async () => {
    const { node, port } = await startServer(testPlayer());
    const client = await connect(clientService(), port);
    await expect(client.request(Echo, { n: 1 })).rejects.toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
    await expect(client.login('not a valid name!')).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
    await expect(client.login('bob')).resolves.toMatchObject({ userId: 'bob' });
    await expect(client.login('bob')).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
    expect(node.binder.stats.unauthenticated).toBe(1);
  });

  it('closes a session that does not log in within the login timeout', async () => {
    const clock = new ManualClock();
    const { node, port } = await startServer(testPlayer(), { clock, timeouts: { loginTimeout: 100 } });
    const client = await connect(clientService(), port);
    await until(() => node.holder.size === 1);
    clock.advance(99);
    expect(client.alive).toBe(true);
    clock.advance(1);
    await expect(client.closed).resolves.toMatchObject({ code: ErrorCode.LOGIN_TIMEOUT });
    expect(node.holder.size).toBe(0);
  });

  it('pings a silent peer when suspect and closes it with HEARTBEAT_TIMEOUT when it never answers', async () => {
    const log: HookLog = [];
    const clock = new ManualClock();
    // checks every 60 s of the injected clock: suspect (ping) at 150 s of silence, closed at 300 s
    const { service, node, port } = await startServer(testPlayer(log), { clock, timeouts: { heartbeatTimeout: 300_000, grace: 0 } });
    const raw = await RawClient.handshake(port, service.protocols.get('msgpack'));
    raw.send((w) => w.request(1, { name: 'dead' }, 1));
    await until(() => raw.messages.length >= 1); // the login reply
    clock.advance(180_000);
    await until(() => raw.messages.some((m) => m.kind === Kind.PING));
    expect(node.holder.get('dead')?.connected).toBe(true);
    clock.advance(120_000);
    await raw.closed;
    expect(raw.messages.some((m) => m.kind === Kind.PING)).toBe(true);
    expect(raw.closeMessage).toMatchObject({ code: ErrorCode.HEARTBEAT_TIMEOUT });
    await until(() => log.length === 2);
    expect(log[1]).toMatch(/^leave dead \d+ /);
    expect(node.holder.get('dead')).toBeUndefined();
  });

  it('keeps a silent but live client: it answers the server pings', async () => {
    const clock = new ManualClock();
    const { node, port } = await startServer(testPlayer(), { clock, timeouts: { heartbeatTimeout: 200_000 } });
    const client = await connect(clientService(), port);
    await client.login('quiet');
    const player = node.holder.get('quiet') as PlayerActor;
    const heartbeat = (): string => (player.state as { active: { heartbeat: string } }).active.heartbeat;
    const bytesIn = (): number => player.ref?.bytesIn ?? -1;
    let pinged = 0;
    // 2.5 timeouts of silence from the application, one heartbeat check (40 s) at a time; after a
    // ping, wait for the pong to reach the server before the next check (an event, not a sleep).
    for (let t = 0; t < 500_000; t += 40_000) {
      const before = bytesIn();
      clock.advance(40_000);
      if (heartbeat() === 'suspect') {
        pinged++;
        await until(() => bytesIn() > before);
      }
    }
    expect(pinged).toBeGreaterThanOrEqual(2);
    expect(client.alive).toBe(true);
    expect(player.connected).toBe(true);
  });

  it('resumes within grace: same actor, game state restored, queued pushes delivered in order', async () => {
    const log: HookLog = [];
    const { node, port } = await startServer(testPlayer(log), { timeouts: { grace: 5_000 } });
    const clients = clientService();
    const first = await connect(clients, port);
    const { resumeToken } = await first.login('ann');
    await expect(first.request(Join, { room: 'r1' })).resolves.toEqual({ members: 1 });
    const player = node.holder.get('ann')!;
    const firstId = player.sessionId;
    first.close(ErrorCode.CLOSED, 'network dropped');
    await until(() => !player.connected);
    expect(player.state).toBe('disconnected');
    for (let seq = 1; seq <= 3; seq++) expect(node.holder.send('ann', Notice, { seq })).toBe(true);
    node.holder.broadcast('r1', Notice, { seq: 4 });
    expect(node.holder.snapshots()[0]).toMatchObject({ connected: false, queued: 4, timer: { kind: 'grace' } });

    const second = await connect(clients, port);
    const resumed = await second.resume(resumeToken);
    expect(resumed.userId).toBe('ann');
    expect(resumed.resumeToken).not.toBe(resumeToken);
    const notices = await second.received(Notice.type, 4);
    expect(notices.map((m) => (m.payload as { seq: number }).seq)).toEqual([1, 2, 3, 4]);
    expect(node.holder.get('ann')).toBe(player);
    expect(player.sessionId).not.toBe(firstId);
    expect(node.holder.atSession(player.sessionId)).toBe(player);
    expect(node.holder.atSession(firstId)).toBeUndefined();
    expect(player.state).toEqual({ active: { heartbeat: 'alive', game: 'inRoom' } });
    await expect(second.request(Echo, { n: 2 })).resolves.toEqual({ n: 2 });
    expect(log).toEqual([`join ann ${firstId}`]); // no leave, no second join
    await expect(second.resume(resumeToken)).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
  });

  it('resumes over a half-open link (silent past the suspicion time): the old connection is kicked, the actor moves', async () => {
    const clock = new ManualClock();
    const { node, port } = await startServer(testPlayer(), { clock, timeouts: { heartbeatTimeout: 60_000, loginTimeout: 600_000 } });
    const clients = clientService();
    const first = await connect(clients, port);
    const { resumeToken } = await first.login('ann');
    const second = await connect(clients, port);
    await expect(second.resume(resumeToken)).rejects.toMatchObject({ code: 'SESSION_ACTIVE' }); // live: not taken over
    clock.advance(30_000); // no check ran a ping that could be answered (checks every 12 s, suspect at 30 s)
    await expect(second.resume(resumeToken)).resolves.toMatchObject({ userId: 'ann' });
    await expect(first.closed).resolves.toMatchObject({ code: ErrorCode.KICKED });
    await expect(second.request(Echo, { n: 9 })).resolves.toEqual({ n: 9 });
    expect(node.holder.size).toBe(1);
  });

  it('ends the actor when grace expires (leave hook runs) and the token stops working', async () => {
    const log: HookLog = [];
    const clock = new ManualClock();
    const { node, port } = await startServer(testPlayer(log), { clock, timeouts: { grace: 150 } });
    const clients = clientService();
    const first = await connect(clients, port);
    const { resumeToken } = await first.login('ann');
    const player = node.holder.get('ann')!;
    const id = player.sessionId;
    first.close(ErrorCode.CLOSED);
    await until(() => !player.connected);
    clock.advance(149);
    expect(log).toHaveLength(1);
    clock.advance(1);
    await until(() => log.length === 2);
    expect(log[1]).toBe(`leave ann ${id} GRACE_EXPIRED`);
    expect(node.holder.size).toBe(0);
    const second = await connect(clients, port);
    await expect(second.resume(resumeToken)).rejects.toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
    await expect(second.login('ann')).resolves.toMatchObject({ userId: 'ann' });
  });

  it('ends the grace when the push queue overflows', async () => {
    const log: HookLog = [];
    const { node, port } = await startServer(testPlayer(log), { timeouts: { grace: 5_000, queueLimit: 2 } });
    const client = await connect(clientService(), port);
    await client.login('ann');
    const player = node.holder.get('ann')!;
    client.close(ErrorCode.CLOSED);
    await until(() => !player.connected);
    expect(node.holder.send('ann', Notice, { seq: 1 })).toBe(true);
    expect(node.holder.send('ann', Notice, { seq: 2 })).toBe(true);
    expect(node.holder.send('ann', Notice, { seq: 3 })).toBe(false);
    expect(player.alive).toBe(false);
    expect(log[1]).toBe(`leave ann ${player.sessionId} QUEUE_OVERFLOW`);
  });

  it('kicks the older session of a duplicate login and replaces its actor (leave before join)', async () => {
    const log: HookLog = [];
    const { node, port } = await startServer(testPlayer(log));
    const clients = clientService();
    const older = await connect(clients, port);
    await older.login('ann');
    const olderActor = node.holder.get('ann')!;
    const olderId = olderActor.sessionId;
    const newer = await connect(clients, port);
    await newer.login('ann');
    await expect(older.closed).resolves.toMatchObject({ code: ErrorCode.KICKED });
    const newerId = node.holder.get('ann')!.sessionId;
    expect(newerId).not.toBe(olderId);
    expect(log).toEqual([`join ann ${olderId}`, `leave ann ${olderId} KICKED`, `join ann ${newerId}`]);
    expect(olderActor.alive).toBe(false);
    expect(olderActor.push(Notice, { seq: 1 })).toBe(false);
    expect(node.holder.size).toBe(1);
  });

  it('answers INTERNAL when a handler throws, logs it with the session id, and carries on', async () => {
    const { logger, lines } = memoryLogger();
    const { node, port } = await startServer(testPlayer(), { logger });
    const client = await connect(clientService(), port);
    await client.login('ann');
    await expect(client.request(Boom, {})).rejects.toMatchObject({ code: ErrorCode.INTERNAL });
    expect(lines.find((l) => l['msg'] === 'message handler threw; answered INTERNAL')).toMatchObject({
      sessionId: node.holder.get('ann')!.sessionId,
      userId: 'ann',
      err: expect.objectContaining({ message: 'boom' }),
    });
    await expect(client.request(Poke, { to: '', seq: 1 })).rejects.toMatchObject({ code: 'NO_TARGET' });
    await expect(client.request(Echo, { n: 3 })).resolves.toEqual({ n: 3 });
    expect(node.binder.stats.failures).toBe(1);
  });

  it('restores the statechart when a game action throws, and the actor carries on', async () => {
    const { logger, lines } = memoryLogger();
    const { node, port } = await startServer(testPlayer(), { logger });
    const client = await connect(clientService(), port);
    await client.login('ann');
    await client.request(Join, { room: 'r1' });
    const player = node.holder.get('ann')!;
    node.holder.dispatch('ann', { type: 'explode' });
    expect(player.state).toEqual({ active: { heartbeat: 'alive', game: 'inRoom' } });
    expect(lines.some((l) => l['event'] === 'explode' && l['sessionId'] === player.sessionId)).toBe(true);
    await expect(client.request(Join, { room: 'r2' })).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
    await expect(client.request(Echo, { n: 4 })).resolves.toEqual({ n: 4 });
  });

  it('answers the code of a HearthError thrown by a statechart action (the transition is rolled back)', async () => {
    const { node, port } = await startServer(testPlayer());
    const client = await connect(clientService(), port);
    await client.login('ann');
    await expect(client.request(Join, { room: '' })).rejects.toMatchObject({ code: 'NO_ROOM', message: 'test.join: join needs a room name' });
    expect(node.holder.get('ann')!.state).toEqual({ active: { heartbeat: 'alive', game: 'lobby' } });
    await expect(client.request(Join, { room: 'r1' })).resolves.toEqual({ members: 1 });
  });

  it('answers UNKNOWN_TYPE to unknown requests, drops and counts unknown pushes, keeps the session', async () => {
    const { service, node, port } = await startServer(testPlayer());
    const raw = await RawClient.handshake(port, service.protocols.get('msgpack'));
    raw.send((w) => w.request(1, { name: 'ann' }, 1));
    await until(() => raw.messages.length >= 1);
    raw.send((w) => {
      w.request(999, {}, 2);
      w.push(998, 'x');
      w.request(Echo.type, { n: 5 }, 3);
    });
    await until(() => raw.messages.length >= 3);
    expect(raw.messages).toEqual([
      expect.objectContaining({ kind: Kind.REPLY, rid: 1 }),
      expect.objectContaining({ kind: Kind.ERROR, rid: 2, code: ErrorCode.UNKNOWN_TYPE }),
      expect.objectContaining({ kind: Kind.REPLY, rid: 3, payload: { n: 5 } }),
    ]);
    expect(node.binder.stats).toMatchObject({ unknownRequests: 1, droppedPushes: 1 });
    raw.destroy();
  });

  it('pushes to another user and broadcasts to a group of 100 sessions, encoded once', async () => {
    const { node, port } = await startServer(testPlayer());
    const clients = clientService();
    const members = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const c = await connect(clients, port);
        await c.login(`p${i}`);
        await c.request(Join, { room: 'arena' });
        return c;
      }),
    );
    expect(node.holder.members('arena').size).toBe(100);
    await expect(members[0]!.request(Poke, { to: 'p99', seq: 42 })).resolves.toBe(true);
    await expect(members[99]!.received(Notice.type, 1)).resolves.toEqual([expect.objectContaining({ payload: { seq: 42 } })]);
    // Encode once: every member's connection is handed the very same bytes.
    const handed = new Set<Uint8Array>();
    for (const member of node.holder.members('arena')) {
      const ref = (member as unknown as PlayerActor).ref!;
      const original = ref.sendEncoded.bind(ref);
      ref.sendEncoded = (bytes, count) => (handed.add(bytes), original(bytes, count));
    }
    expect(node.holder.broadcast('arena', Notice, { seq: 7 })).toBe(100);
    expect(handed.size).toBe(1);
    const got = await Promise.all(members.map((c) => c.received(Notice.type, c === members[99] ? 2 : 1)));
    for (const list of got) expect(list.at(-1)?.payload).toEqual({ seq: 7 });
    members[5]!.send(Note, { text: 'hello' });
    await until(() => node.holder.get('p5')?.data.room === 'hello');
  });

  it('shuts down: every client is told SHUTDOWN and every leave hook runs', async () => {
    const log: HookLog = [];
    const { node, port } = await startServer(testPlayer(log));
    const clients = clientService();
    const a = await connect(clients, port);
    const b = await connect(clients, port);
    await a.login('a');
    await b.login('b');
    const ids = [node.holder.get('a')!.sessionId, node.holder.get('b')!.sessionId];
    await node.close();
    await expect(a.closed).resolves.toMatchObject({ code: ErrorCode.SHUTDOWN });
    await expect(b.closed).resolves.toMatchObject({ code: ErrorCode.SHUTDOWN });
    expect(log.filter((l) => l.startsWith('leave')).sort()).toEqual([`leave a ${ids[0]} SHUTDOWN`, `leave b ${ids[1]} SHUTDOWN`]);
    expect(node.holder.size).toBe(0);
  });
});
