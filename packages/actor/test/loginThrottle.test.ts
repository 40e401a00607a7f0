import { ErrorCode, HearthError } from '@hearth/protocol';
import { describe, expect, it } from 'vitest';
import { refuse, type Authenticator } from '../src/authenticate.ts';
import { LoginThrottle } from '../src/LoginThrottle.ts';

/** Accepts `{ name, password: 'right' }`, refuses any other password. */
const check: Authenticator = ({ name, password }) =>
  password === 'right' ? String(name) : refuse(ErrorCode.UNAUTHENTICATED, 'wrong password');

function setup(options: ConstructorParameters<typeof LoginThrottle>[0] = {}) {
  const clock = { t: 1_000_000 };
  const throttle = new LoginThrottle({ now: () => clock.t, ...options });
  const auth = throttle.guard(check);
  const login = (name: string, password: string, remoteAddress = '10.0.0.1:5000') => Promise.resolve(auth({ name, password }, { sessionId: 1, remoteAddress }));
  return { clock, throttle, login };
}

describe('LoginThrottle', () => {
  it('refuses RATE_LIMITED after maxFailuresPerUser failures naming one user, until the window ends', async () => {
    const { clock, login } = setup({ maxFailuresPerUser: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) expect(await login('ann', `guess${i}`)).toMatchObject({ refused: ErrorCode.UNAUTHENTICATED });
    // The right password too: the authenticator is not asked.
    expect(await login('ann', 'right', '10.0.0.2:1')).toEqual({ refused: ErrorCode.RATE_LIMITED, text: 'too many failed logins from this user; retry in 60 s' });
    expect(await login('bob', 'right')).toBe('bob');
    clock.t += 59_999;
    expect(await login('ann', 'right', '10.0.0.2:1')).toMatchObject({ refused: ErrorCode.RATE_LIMITED, text: expect.stringContaining('retry in 1 s') });
    clock.t += 1;
    expect(await login('ann', 'right')).toBe('ann');
  });

  it('refuses RATE_LIMITED after maxFailuresPerAddress failures from one host, whatever the port or user', async () => {
    const { throttle, login } = setup({ maxFailuresPerAddress: 4, maxFailuresPerUser: 100 });
    for (let i = 0; i < 4; i++) await login(`user${i}`, 'wrong', `10.0.0.9:${4000 + i}`);
    expect(await login('zed', 'right', '10.0.0.9:9999')).toMatchObject({ refused: ErrorCode.RATE_LIMITED, text: expect.stringContaining('from this address') });
    expect(await login('zed', 'right', '10.0.0.10:9999')).toBe('zed');
    expect(throttle.refused).toBe(1);
  });

  it('a success clears the user, not the address; IPv6 addresses lose their port', async () => {
    const { login } = setup({ maxFailuresPerAddress: 3, maxFailuresPerUser: 2 });
    await login('ann', 'wrong', '::1:1000');
    expect(await login('ann', 'right', '::1:1001')).toBe('ann');
    await login('ann', 'wrong', '::1:1002');
    expect(await login('ann', 'right', '::1:1003')).toBe('ann'); // user count was cleared by the success
    await login('bob', 'wrong', '::1:1004');
    expect(await login('carl', 'right', '::1:1005')).toMatchObject({ refused: ErrorCode.RATE_LIMITED }); // 3 failures from ::1
  });

  it('counts logins in flight, so parallel guesses cannot overrun the limit', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const throttle = new LoginThrottle({ maxFailuresPerUser: 2, now: () => 0 });
    const slow = throttle.guard(async () => {
      await gate;
      return refuse(ErrorCode.UNAUTHENTICATED, 'no');
    });
    const results = Array.from({ length: 10 }, () => Promise.resolve(slow({ name: 'ann' }, { sessionId: 1, remoteAddress: '10.0.0.1:1' })));
    release();
    const codes = (await Promise.all(results)).map((r) => (r as { refused: string }).refused);
    expect(codes.filter((c) => c === ErrorCode.UNAUTHENTICATED)).toHaveLength(2);
    expect(codes.filter((c) => c === ErrorCode.RATE_LIMITED)).toHaveLength(8);
  });

  it('a coded throw counts as a failure; a bug in the authenticator does not', async () => {
    const throttle = new LoginThrottle({ maxFailuresPerUser: 1, now: () => 0 });
    const coded = throttle.guard(() => {
      throw new HearthError(ErrorCode.UNAUTHENTICATED, 'no');
    });
    await expect(Promise.resolve(coded({ name: 'ann' }, { sessionId: 1, remoteAddress: '1.1.1.1:1' }))).rejects.toThrow('no');
    expect(await coded({ name: 'ann' }, { sessionId: 1, remoteAddress: '1.1.1.1:1' })).toMatchObject({ refused: ErrorCode.RATE_LIMITED });
    const buggy = throttle.guard(() => {
      throw new TypeError('bug');
    });
    for (let i = 0; i < 3; i++) await expect(Promise.resolve(buggy({ name: 'bob' }, { sessionId: 1, remoteAddress: '2.2.2.2:1' }))).rejects.toThrow('bug');
  });

  it('remembers at most maxKeys addresses and users (a flood of names cannot grow memory)', async () => {
    const { throttle, login } = setup({ maxKeys: 50, maxFailuresPerAddress: 1_000_000 });
    for (let i = 0; i < 1000; i++) await login(`name${i}`, 'wrong');
    expect(throttle.size).toBeLessThanOrEqual(50);
  });
});
