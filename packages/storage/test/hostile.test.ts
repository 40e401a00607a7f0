import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlStorage } from '../src/index.ts';
import { ENGINES, openTestStorage, type TestStorage } from './engines.ts';

/** Classic injection payloads, plus bytes PostgreSQL refuses in text (NUL) and a lone surrogate. */
const PAYLOADS = [
  "'; DROP TABLE hearth_users; --",
  "' OR '1'='1",
  "x'); DELETE FROM hearth_objects; --",
  '$1; SELECT pg_sleep(10)',
  '"; TRUNCATE hearth_records CASCADE; --',
  "\\'; DROP TABLE hearth_devices; --",
  'a\u0000b',
  'a\uD800b',
];

const REFUSED = ['BAD_REQUEST', 'TOO_LARGE'];

const code = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: unknown) => (e as { code?: string }).code ?? 'none',
  );

describe.each(ENGINES)('hostile input on %s', (kind) => {
  let t: TestStorage;
  let s: SqlStorage;
  let user: string;
  beforeAll(async () => {
    t = await openTestStorage(kind, { maxObjectBytes: 1024 });
    s = t.storage;
    user = await s.createUser({ displayName: 'victim', username: 'victim' });
    await s.defineLeaderboard({ id: 'lb', operator: 'best' });
    await s.submitScore('lb', user, 5);
    await s.writeObject(user, 'c', 'k', { keep: true });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  /** Every table still there with its rows: nothing was dropped, deleted or truncated. */
  async function intact(): Promise<void> {
    expect((await s.getProfile(user))?.displayName).toBe('victim');
    expect((await s.readObject(user, 'c', 'k'))?.value).toEqual({ keep: true });
    expect((await s.topScores('lb')).map((e) => e.userId)).toContain(user);
  }

  it('every field either refuses a payload with BAD_REQUEST or stores it verbatim', async () => {
    for (const p of PAYLOADS) {
      // Identifiers with a strict format: refused (TOO_LARGE when also over their length limit).
      expect(REFUSED).toContain(await code(s.getProfile(p)));
      expect(REFUSED).toContain(await code(s.readObject(p, 'c', 'k')));
      expect(REFUSED).toContain(await code(s.readObject(user, p, 'k')));
      expect(REFUSED).toContain(await code(s.readObject(user, 'c', p)));
      expect(REFUSED).toContain(await code(s.writeObject(user, p, 'k', 1)));
      expect(REFUSED).toContain(await code(s.listObjects(user, 'c', { afterKey: p })));
      expect(REFUSED).toContain(await code(s.findPassword({ username: p })));
      expect(REFUSED).toContain(await code(s.findDevice(p)));
      expect(REFUSED).toContain(await code(s.submitScore(p, user, 1)));
      expect(REFUSED).toContain(await code(s.submitScore('lb', p, 1)));
      expect(REFUSED).toContain(await code(s.topScores(p)));
      expect(REFUSED).toContain(await code(s.topScores('lb', 10, { period: p })));
      expect(REFUSED).toContain(await code(s.scoresAround('lb', p)));
      expect(REFUSED).toContain(await code(s.defineLeaderboard({ id: p, operator: 'best' })));
      expect(REFUSED).toContain(await code(s.defineLeaderboard({ id: 'x', operator: p as 'best' })));
      expect(REFUSED).toContain(await code(s.createUser({ displayName: 'x', username: p })));
      expect(REFUSED).toContain(await code(s.setPasswordHash(user, p)));
      expect(REFUSED).toContain(await code(s.createDeviceUser('device-1234', p, 'x')));
      const bad = p.includes('\u0000') || p.includes('\uD800');
      // Free text: stored and read back exactly, unless it holds NUL or a lone surrogate.
      const name = p.slice(0, 32);
      if (bad) {
        expect(await code(s.setDisplayName(user, name))).toBe('BAD_REQUEST');
        expect(await code(s.writeObject(user, 'c', 'free', { [p]: p }))).toBe('BAD_REQUEST');
        expect(await code(s.identityUser(p, 'sub', 'x'))).toBe('BAD_REQUEST');
        expect(await code(s.createUser({ displayName: 'x', email: `${p}@x.io` }))).toBe('BAD_REQUEST');
      } else {
        const other = await s.createUser({ displayName: name, email: `${p.replace(/\s/g, '')}@x.io` });
        expect((await s.getProfile(other))?.displayName).toBe(name.trim());
        await s.writeObject(user, 'c', 'free', { [p]: p });
        expect((await s.readObject(user, 'c', 'free'))?.value).toEqual({ [p]: p });
        const ext = await s.identityUser(p, p, 'ext');
        expect(await s.identityUser(p, p, 'ext')).toBe(ext);
      }
      await intact();
    }
    expect(await code(s.findPassword({ email: "' OR 1=1 --" }))).toBe('BAD_REQUEST');
  });

  it('oversized fields fail with TOO_LARGE, before any query', async () => {
    const big = (n: number): string => 'a'.repeat(n);
    expect(await code(s.getProfile(big(65)))).toBe('TOO_LARGE');
    expect(await code(s.createUser({ displayName: big(33) }))).toBe('TOO_LARGE');
    expect(await code(s.createUser({ displayName: big(1_000_000) }))).toBe('TOO_LARGE');
    expect(await code(s.createUser({ displayName: 'x', username: big(33) }))).toBe('TOO_LARGE');
    expect(await code(s.createUser({ displayName: 'x', email: `${big(250)}@x.io` }))).toBe('TOO_LARGE');
    expect(await code(s.readObject(user, big(65), 'k'))).toBe('TOO_LARGE');
    expect(await code(s.readObject(user, 'c', big(129)))).toBe('TOO_LARGE');
    expect(await code(s.findDevice(big(129)))).toBe('TOO_LARGE');
    expect(await code(s.submitScore(big(65), user, 1))).toBe('TOO_LARGE');
    expect(await code(s.topScores('lb', 101))).toBe('TOO_LARGE');
    expect(await code(s.writeObject(user, 'c', 'big', { s: big(1100) }))).toBe('TOO_LARGE');
    expect(await code(s.writeObject(user, 'c', 'big', Array.from({ length: 1_000_000 }, () => 1)))).toBe('TOO_LARGE');
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(await code(s.writeObject(user, 'c', 'deep', deep))).toBe('TOO_LARGE');
    expect(await code(s.writeObject(user, 'c', 'nan', { x: Number.NaN }))).toBe('BAD_REQUEST');
    expect(await code(s.writeObject(user, 'c', 'bin', new Uint8Array(4)))).toBe('BAD_REQUEST');
    expect(await code(s.writeObject(user, 'c', 'fn', { f: () => 1 }))).toBe('BAD_REQUEST');
    expect(await code(s.writeObject(user, 'c', 'k', 1, -1))).toBe('BAD_REQUEST');
    expect(await code(s.writeObject(user, 'c', 'fits', { s: big(1000) }))).toBe('ok');
    await intact();
  });
});
