import { ErrorCode, Resume } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ResumeErrorCode, type Authenticator } from '../src/index.ts';
import { ManualClock } from '../src/testing/index.ts';
import { RawClient } from './RawClient.ts';
import { MALFORMED } from './malformed.ts';
import { Echo, Notice, Poke, Tell, cleanup, clientService, connect, startServer, testPlayer, until, type HookLog } from './helpers.ts';

afterEach(cleanup);


describe('resume tokens (real sockets, injected clock)', () => {
  it('a stolen token cannot take over an active session: SESSION_ACTIVE, and the live session is untouched', async () => {
    const clock = new ManualClock();
    const log: HookLog = [];
    // heartbeatTimeout 60 s: suspicion after 30 s of silence (on the injected clock)
    const { node, port } = await startServer(testPlayer(log), { clock, timeouts: { heartbeatTimeout: 60_000, loginTimeout: 600_000 } });
    const clients = clientService();
    const owner = await connect(clients, port);
    const { resumeToken } = await owner.login('ann');
    const player = node.holder.get('ann')!;
    const sessionId = player.sessionId;

    const thief = await connect(clients, port);
    await expect(thief.resume(resumeToken)).rejects.toMatchObject({ code: ResumeErrorCode.SESSION_ACTIVE });
    clock.advance(20_000); // silent for 20 s: still within the suspicion time
    await expect(thief.resume(resumeToken)).rejects.toMatchObject({ code: ResumeErrorCode.SESSION_ACTIVE });

    // the owner's session: same connection, same actor, same token, still served; no leave, no kick
    expect(owner.alive).toBe(true);
    expect(player.connected).toBe(true);
    expect(player.sessionId).toBe(sessionId);
    expect(node.holder.snapshots().filter((p) => p.userId === undefined)).toHaveLength(1); // the thief may only log in
    await expect(owner.request(Echo, { n: 1 })).resolves.toEqual({ n: 1 });
    expect(node.holder.get('ann')).toBe(player);
    expect(log).toEqual([`join ann ${sessionId}`]);
    // the owner's token still works once its own link drops
    owner.close(ErrorCode.CLOSED);
    await until(() => !player.connected);
    const back = await connect(clients, port);
    await expect(back.resume(resumeToken)).resolves.toMatchObject({ userId: 'ann' });
    expect(node.holder.get('ann')).toBe(player);
  });

  it('a connection silent past the suspicion time is half-open: a resume replaces it (KICKED)', async () => {
    const clock = new ManualClock();
    const { service, node, port } = await startServer(testPlayer(), { clock, timeouts: { heartbeatTimeout: 60_000, loginTimeout: 600_000 } });
    const dead = await RawClient.handshake(port, service.protocols.get('msgpack'));
    dead.send((w) => w.request(1, { name: 'ann' }, 1));
    await until(() => dead.messages.length >= 1);
    const token = (dead.messages[0] as { payload: { resumeToken: string } }).payload.resumeToken;
    const player = node.holder.get('ann')!;

    const fresh = await connect(clientService(), port);
    await expect(fresh.resume(token)).rejects.toMatchObject({ code: ResumeErrorCode.SESSION_ACTIVE });
    clock.advance(30_000); // 30 s of silence on the old link (it never answers): suspect
    await expect(fresh.resume(token)).resolves.toMatchObject({ userId: 'ann' });
    await dead.closed;
    expect(dead.closeMessage).toMatchObject({ code: ErrorCode.KICKED });
    expect(node.holder.get('ann')).toBe(player);
    await expect(fresh.request(Echo, { n: 2 })).resolves.toEqual({ n: 2 });
  });

  it('a token past its absolute lifetime is refused, even within grace; a resume does not extend it', async () => {
    const clock = new ManualClock();
    const log: HookLog = [];
    const { node, port } = await startServer(testPlayer(log), {
      clock,
      timeouts: { tokenLifetime: 60_000, grace: 600_000, heartbeatTimeout: 600_000, loginTimeout: 600_000 },
    });
    const clients = clientService();
    const first = await connect(clients, port);
    const { resumeToken } = await first.login('ann');
    const player = node.holder.get('ann')!;
    const firstId = player.sessionId;
    first.close(ErrorCode.CLOSED);
    await until(() => !player.connected);
    clock.advance(40_000);
    const second = await connect(clients, port);
    const { resumeToken: rotated } = await second.resume(resumeToken);
    expect(rotated).not.toBe(resumeToken);
    second.close(ErrorCode.CLOSED);
    await until(() => !player.connected);
    clock.advance(20_001); // 60.001 s after the login, 20 s after the resume
    const third = await connect(clients, port);
    await expect(third.resume(rotated)).rejects.toMatchObject({ code: ErrorCode.UNAUTHENTICATED, message: expect.stringMatching(/lifetime/) });
    expect(player.alive).toBe(true); // still in grace: a refused resume does not end it
    await expect(third.login('ann')).resolves.toMatchObject({ userId: 'ann' }); // a login replaces it
    expect(player.alive).toBe(false);
    expect(log).toEqual([`join ann ${firstId}`, `leave ann ${player.sessionId} KICKED`, expect.stringMatching(/^join ann /)]);
  });

  it('refuses malformed tokens (long, binary, *, {}, newline) with BAD_REQUEST before any lookup', async () => {
    const { node, port } = await startServer(testPlayer());
    const client = await connect(clientService(), port);
    for (const token of MALFORMED) {
      await expect(client.resume(token), JSON.stringify(token.slice(0, 30))).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
    }
    await expect(client.request(Resume, { token: 12 } as never)).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
    expect(node.holder.stats.malformedIds).toBe(MALFORMED.length);
    await expect(client.login('ann')).resolves.toMatchObject({ userId: 'ann' }); // the session carries on
  });

  it('refuses malformed user ids from the wire (deliver → BAD_REQUEST, sendTo → false) and from the authenticator', async () => {
    const authenticate: Authenticator = ({ name }) => String(name);
    const { node, port } = await startServer(testPlayer(), { authenticate });
    const clients = clientService();
    const ann = await connect(clients, port);
    await ann.login('ann');
    const bob = await connect(clients, port);
    await bob.login('bob');
    for (const to of MALFORMED) {
      await expect(ann.request(Tell, { to, seq: 1 })).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
      await expect(ann.request(Poke, { to: to === '' ? '*' : to, seq: 1 })).resolves.toBe(false);
    }
    expect(node.holder.stats.malformedIds).toBe(2 * MALFORMED.length);
    await expect(ann.request(Tell, { to: 'bob', seq: 2 })).resolves.toBe(true);
    expect((await bob.received(Notice.type, 1)).map((m) => m.payload)).toEqual([{ seq: 2 }]);
    const odd = await connect(clients, port);
    await expect(odd.login('a{b}*')).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
    await expect(odd.login('x'.repeat(65))).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
    expect(node.holder.get('a{b}*')).toBeUndefined();
  });
});
