import type { Admission, Authenticator, LoginContext, Refusal } from '@hearth/actor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Accounts,
  accountsAuthenticator,
  deviceAuthenticator,
  hashPassword,
  passwordAuthenticator,
  type SqlStorage,
} from '../src/index.ts';
import { ENGINES, openTestStorage, type TestStorage } from './engines.ts';

/** Cheap argon2id for tests (the default set is measured by the bench). */
const FAST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const ctx: LoginContext = { sessionId: 1, remoteAddress: '127.0.0.1:5000' };
const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtMTIz';

/** The user id of an admission, or the code of a refusal or throw. */
async function login(auth: Authenticator, credentials: Record<string, unknown>): Promise<{ userId?: string; code?: string; reply?: unknown }> {
  try {
    const r = (await auth(credentials, ctx)) as Admission | Refusal;
    return 'refused' in r ? { code: r.refused } : { userId: r.userId, reply: r.reply };
  } catch (e) {
    return { code: (e as { code?: string }).code ?? 'THROWN' };
  }
}

describe.each(ENGINES)('accounts on %s', (kind) => {
  let t: TestStorage;
  let s: SqlStorage;
  let accounts: Accounts;
  let auth: Authenticator;
  beforeAll(async () => {
    t = await openTestStorage(kind);
    s = t.storage;
    accounts = new Accounts(s, { argon2: FAST });
    auth = accountsAuthenticator({ device: deviceAuthenticator(accounts), password: passwordAuthenticator(accounts) });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('registers, logs in by username or email, refuses wrong and unknown alike', async () => {
    const reg = await login(auth, { register: true, username: 'Alice', email: 'alice@example.com', password: 'correct horse' });
    expect(reg.userId).toBeDefined();
    expect(reg.reply).toEqual({ userId: reg.userId, displayName: 'Alice', created: true });
    expect((await login(auth, { username: 'alice', password: 'correct horse' })).userId).toBe(reg.userId);
    expect((await login(auth, { email: 'ALICE@example.com', password: 'correct horse' })).userId).toBe(reg.userId);
    expect(await login(auth, { username: 'alice', password: 'wrong horse' })).toEqual({ code: 'UNAUTHENTICATED' });
    expect(await login(auth, { username: 'nobody', password: 'correct horse' })).toEqual({ code: 'UNAUTHENTICATED' });
    expect(await login(auth, { register: true, username: 'ALICE', password: 'another one' })).toEqual({ code: 'ALREADY_EXISTS' });
    expect(await login(auth, { register: true, username: 'bob', password: 'short' })).toEqual({ code: 'BAD_REQUEST' });
    expect(await login(auth, { username: 'alice', password: 'x'.repeat(129) })).toEqual({ code: 'TOO_LARGE' });
    expect(await login(auth, { username: 'alice', password: 42 })).toEqual({ code: 'BAD_REQUEST' });
    expect(await login(auth, { nothing: true })).toEqual({ code: 'BAD_REQUEST' });
    const stored = await s.findPassword({ username: 'alice' });
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
  });

  it('changes a password: the old one stops working', async () => {
    const reg = await login(auth, { register: true, username: 'carol', password: 'first password' });
    expect((await login(auth, { username: 'carol', password: 'first password', newPassword: 'second password' })).userId).toBe(reg.userId);
    expect(await login(auth, { username: 'carol', password: 'first password' })).toEqual({ code: 'UNAUTHENTICATED' });
    expect((await login(auth, { username: 'carol', password: 'second password' })).userId).toBe(reg.userId);
    expect(await login(auth, { username: 'carol', password: 'wrong password', newPassword: 'third password' })).toEqual({ code: 'UNAUTHENTICATED' });
    expect(await login(auth, { username: 'carol', password: 'second password', newPassword: 'x' })).toEqual({ code: 'BAD_REQUEST' });
  });

  it('rehashes a weaker stored hash at the next login', async () => {
    const stronger = new Accounts(s, { argon2: { memoryCost: 2048, timeCost: 1, parallelism: 1 } });
    await stronger.storage.createUser({ displayName: 'old', username: 'oldhash', passwordHash: await hashPassword('old password', FAST) });
    await stronger.loginPassword({ username: 'oldhash', password: 'old password' });
    expect((await s.findPassword({ username: 'oldhash' }))?.passwordHash).toMatch(/m=2048,t=1,p=1/);
  });

  it('device logins: first creates a guest, the secret is checked, stored only hashed', async () => {
    const first = await login(auth, { device: 'phone-0001', secret: SECRET });
    expect(first.reply).toMatchObject({ displayName: 'Guest-0001', created: true });
    const again = await login(auth, { device: 'phone-0001', secret: SECRET });
    expect(again.userId).toBe(first.userId);
    expect(again.reply).toMatchObject({ created: false });
    expect(await login(auth, { device: 'phone-0001', secret: `${SECRET}x` })).toEqual({ code: 'UNAUTHENTICATED' });
    expect(await login(auth, { device: 'phone-0001', secret: 'short' })).toEqual({ code: 'BAD_REQUEST' });
    expect(await login(auth, { device: 'x'.repeat(129), secret: SECRET })).toEqual({ code: 'TOO_LARGE' });
    const stored = await s.findDevice('phone-0001');
    expect(stored?.secretHash).toMatch(/^sha256:/);
    expect(stored?.secretHash).not.toContain(SECRET);
  });

  it('racing first logins of one device make one account', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => login(auth, { device: 'race-device', secret: SECRET })));
    expect(new Set(results.map((r) => r.userId)).size).toBe(1);
  });

  it('a guest upgrades to a named account, then logs in either way', async () => {
    const guest = await login(auth, { device: 'tablet-0002', secret: SECRET });
    const up = await login(auth, { device: 'tablet-0002', secret: SECRET, upgrade: { username: 'dave', password: 'dave password' } });
    expect(up.userId).toBe(guest.userId);
    expect((await login(auth, { username: 'dave', password: 'dave password' })).userId).toBe(guest.userId);
    expect((await login(auth, { device: 'tablet-0002', secret: SECRET })).userId).toBe(guest.userId);
    // Upgrading twice, or with a wrong secret, or an unknown device, is refused.
    expect(await login(auth, { device: 'tablet-0002', secret: SECRET, upgrade: { username: 'dave2', password: 'dave password' } })).toEqual({
      code: 'STORAGE_CONFLICT',
    });
    expect(await login(auth, { device: 'tablet-0002', secret: `${SECRET}y`, upgrade: { username: 'eve', password: 'eve password' } })).toEqual({
      code: 'UNAUTHENTICATED',
    });
    expect(await login(auth, { device: 'never-seen', secret: SECRET, upgrade: { username: 'eve', password: 'eve password' } })).toEqual({
      code: 'UNAUTHENTICATED',
    });
    expect(await login(auth, { device: 'tablet-0002', secret: SECRET, upgrade: 'yes' })).toEqual({ code: 'BAD_REQUEST' });
  });

  it('links a device to a password account; a device of another account is refused', async () => {
    const reg = await login(auth, { register: true, username: 'frank', password: 'frank password' });
    const linked = await login(auth, { username: 'frank', password: 'frank password', linkDevice: { device: 'frank-phone', secret: SECRET } });
    expect(linked.userId).toBe(reg.userId);
    expect((await login(auth, { device: 'frank-phone', secret: SECRET })).userId).toBe(reg.userId);
    await login(auth, { device: 'other-phone', secret: SECRET });
    expect(await login(auth, { username: 'frank', password: 'frank password', linkDevice: { device: 'other-phone', secret: SECRET } })).toEqual({
      code: 'ALREADY_EXISTS',
    });
    expect(await login(auth, { username: 'frank', password: 'bad password', linkDevice: { device: 'third-phone', secret: SECRET } })).toEqual({
      code: 'UNAUTHENTICATED',
    });
    expect(await s.findDevice('third-phone')).toBeUndefined();
  });

  it('registrations are limited per address (every attempt counts), by the injected clock', async () => {
    let now = 0;
    const limited = passwordAuthenticator(accounts, { registrations: { perAddress: 2, windowMs: 60_000, now: () => now } });
    const from = async (remoteAddress: string, c: Record<string, unknown>) => {
      try {
        const r = (await limited(c, { sessionId: 1, remoteAddress })) as Admission | Refusal;
        return 'refused' in r ? r.refused : 'ok';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(await from('10.1.1.1:1', { register: true, username: 'reg1', password: 'reg password' })).toBe('ok');
    expect(await from('10.1.1.1:2', { register: true, username: 'reg1', password: 'reg password' })).toBe('ALREADY_EXISTS');
    expect(await from('10.1.1.1:3', { register: true, username: 'reg2', password: 'reg password' })).toBe('RATE_LIMITED');
    expect(await from('10.1.1.1:3', { username: 'reg1', password: 'reg password' })).toBe('ok'); // logins are not limited
    expect(await from('10.1.1.2:1', { register: true, username: 'reg2', password: 'reg password' })).toBe('ok');
    now += 60_000;
    expect(await from('10.1.1.1:4', { register: true, username: 'reg3', password: 'reg password' })).toBe('ok');
  });

  it('injection attempts in credentials are refused or inert', async () => {
    for (const p of ["' OR '1'='1", "admin'--", "x'; DROP TABLE hearth_users; --"]) {
      expect(await login(auth, { username: p, password: 'whatever pw' })).toMatchObject({ code: 'BAD_REQUEST' });
      expect(['BAD_REQUEST', 'UNAUTHENTICATED']).toContain((await login(auth, { email: `${p}@x.io`, password: 'whatever pw' })).code);
      expect(await login(auth, { device: p, secret: SECRET })).toMatchObject({ code: 'BAD_REQUEST' });
      expect(await login(auth, { device: 'phone-0001', secret: p })).toMatchObject({ code: 'BAD_REQUEST' });
      expect(await login(auth, { username: 'alice', password: p })).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    expect((await login(auth, { username: 'alice', password: 'correct horse' })).userId).toBeDefined();
  });
});
