// Guessing logins: failed attempts are throttled per address and per user (RATE_LIMITED), over real sockets.
import { ErrorCode, Login } from '@hearth/protocol';
import { describe, expect, it } from 'vitest';
import { startArena } from '../fixtures/arenaProcess.ts';
import { TestClients, type TestPlayer } from '../fixtures/testClients.ts';

/** The code a login answers with: 'ok', or the refusal's code. */
async function attempt(player: TestPlayer, name: string): Promise<string> {
  try {
    await player.client.request(Login, { name });
    return 'ok';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

describe('hostile: login guessing', { timeout: 60_000 }, () => {
  it('after 5 failures naming one user, logins naming it are refused RATE_LIMITED; the session stays open', async () => {
    await using server = startArena(['--protocol', 'msgpack', '--admin-port=-1']);
    const { tcp } = await server.listening;
    await using clients = new TestClients();
    const guesser = await clients.connect(tcp);
    const codes: string[] = [];
    for (let i = 0; i < 7; i++) codes.push(await attempt(guesser, 'not a name!'));
    expect(codes).toEqual([...Array(5).fill(ErrorCode.BAD_REQUEST), ErrorCode.RATE_LIMITED, ErrorCode.RATE_LIMITED]);
    expect(await attempt(guesser, 'alice')).toBe('ok');
  });

  it('after 20 failures from one address, every login from it is refused RATE_LIMITED, on TCP and WebSocket', async () => {
    await using server = startArena(['--protocol', 'msgpack', '--admin-port=-1']);
    const { tcp, ws } = await server.listening;
    await using clients = new TestClients();
    const guessers = await Promise.all([clients.connect(tcp), clients.connect(ws)]);
    const codes: string[] = [];
    for (let i = 0; i < 20; i++) codes.push(await attempt(guessers[i % 2]!, `bad name ${i}`));
    expect(codes.every((c) => c === ErrorCode.BAD_REQUEST)).toBe(true);
    const fresh = await clients.connect(ws);
    expect(await attempt(fresh, 'bob')).toBe(ErrorCode.RATE_LIMITED);
    expect(await attempt(guessers[0], 'bob')).toBe(ErrorCode.RATE_LIMITED);
  });

  it('the limits are flags: --login-failures-per-user 2, and HEARTH_LOGIN_FAILURES_PER_ADDRESS=0 turns the address limit off', async () => {
    await using server = startArena(['--protocol', 'msgpack', '--admin-port=-1', '--login-failures-per-user', '2'], { HEARTH_LOGIN_FAILURES_PER_ADDRESS: '0' });
    const { tcp } = await server.listening;
    await using clients = new TestClients();
    const guesser = await clients.connect(tcp);
    const same: string[] = [];
    for (let i = 0; i < 3; i++) same.push(await attempt(guesser, 'not a name!'));
    expect(same).toEqual([ErrorCode.BAD_REQUEST, ErrorCode.BAD_REQUEST, ErrorCode.RATE_LIMITED]);
    const many: string[] = [];
    for (let i = 0; i < 30; i++) many.push(await attempt(guesser, `bad name ${i}`));
    expect(many.every((c) => c === ErrorCode.BAD_REQUEST)).toBe(true);
    expect(await attempt(guesser, 'carol')).toBe('ok');
  });
});
