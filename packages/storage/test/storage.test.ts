import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openTestStorage, testClock, type TestStorage } from './engines.ts';
import type { SqlStorage } from '../src/index.ts';

describe.each(ENGINES)('storage on %s', (kind) => {
  const clock = testClock();
  let t: TestStorage;
  let s: SqlStorage;
  beforeAll(async () => {
    t = await openTestStorage(kind, { now: clock.now, maxObjectBytes: 1024 });
    s = t.storage;
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('keeps profiles: display name, created, last seen', async () => {
    const id = await s.createUser({ displayName: 'Ada', username: 'Ada_1', email: 'Ada@Example.com', passwordHash: '$argon2id$x' });
    clock.advance(5000);
    await s.touch(id);
    await s.setDisplayName(id, '  Ada L.  ');
    const p = await s.getProfile(id);
    expect(p).toEqual({
      userId: id,
      displayName: 'Ada L.',
      username: 'ada_1',
      email: 'ada@example.com',
      createdMs: clock.now() - 5000,
      lastSeenMs: clock.now(),
    });
    await expect(s.createUser({ displayName: 'B', username: 'ADA_1' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(await s.findPassword({ username: 'ADA_1' })).toEqual({ userId: id, passwordHash: '$argon2id$x' });
    expect(await s.findPassword({ email: 'ada@example.COM' })).toEqual({ userId: id, passwordHash: '$argon2id$x' });
    expect(await s.getProfile('nobody')).toBeUndefined();
  });

  it('versions objects: write-if-version, conflict code, delete, list', async () => {
    const u = await s.createUser({ displayName: 'obj' });
    expect(await s.writeObject(u, 'save', 'slot1', { hp: 3 }, 0)).toBe(1);
    await expect(s.writeObject(u, 'save', 'slot1', { hp: 4 }, 0)).rejects.toMatchObject({ code: 'STORAGE_CONFLICT' });
    expect(await s.writeObject(u, 'save', 'slot1', { hp: 4 }, 1)).toBe(2);
    await expect(s.writeObject(u, 'save', 'slot1', { hp: 5 }, 1)).rejects.toMatchObject({ code: 'STORAGE_CONFLICT' });
    await expect(s.writeObject(u, 'save', 'missing', { hp: 5 }, 3)).rejects.toMatchObject({ code: 'STORAGE_CONFLICT' });
    expect(await s.writeObject(u, 'save', 'slot1', { hp: 6, bag: ['a', { b: null }] })).toBe(3);
    expect(await s.readObject(u, 'save', 'slot1')).toEqual({ key: 'slot1', value: { hp: 6, bag: ['a', { b: null }] }, version: 3, updatedMs: clock.now() });
    for (const k of ['k3', 'k1', 'k2']) await s.writeObject(u, 'list', k, k);
    expect((await s.listObjects(u, 'list', { limit: 2 })).map((o) => o.key)).toEqual(['k1', 'k2']);
    expect((await s.listObjects(u, 'list', { afterKey: 'k2' })).map((o) => o.value)).toEqual(['k3']);
    await expect(s.deleteObject(u, 'save', 'slot1', 2)).rejects.toMatchObject({ code: 'STORAGE_CONFLICT' });
    expect(await s.deleteObject(u, 'save', 'slot1', 3)).toBe(true);
    expect(await s.deleteObject(u, 'save', 'slot1')).toBe(false);
    expect(await s.readObject(u, 'save', 'slot1')).toBeUndefined();
    await expect(s.writeObject('no-such-user', 'save', 'x', 1)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('two writers racing on one version: exactly one wins, every time', async () => {
    const u = await s.createUser({ displayName: 'race' });
    for (let round = 0; round < 20; round++) {
      const key = `r${round}`;
      await s.writeObject(u, 'race', key, { n: 0 }, 0);
      const results = await Promise.allSettled(
        Array.from({ length: 4 }, (_, i) => s.writeObject(u, 'race', key, { n: i + 1 }, 1)),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((r) => (r.reason as { code: string }).code)).toEqual(['STORAGE_CONFLICT', 'STORAGE_CONFLICT', 'STORAGE_CONFLICT']);
      expect((await s.readObject(u, 'race', key))?.version).toBe(2);
    }
    // Creation races too: only one "if absent" write wins.
    const created = await Promise.allSettled([s.writeObject(u, 'race', 'new', 1, 0), s.writeObject(u, 'race', 'new', 2, 0)]);
    expect(created.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('leaderboards: best and sum, top N, around me, ties to the earlier score', async () => {
    await s.defineLeaderboard({ id: 'best', operator: 'best' });
    await s.defineLeaderboard({ id: 'sum', operator: 'sum' });
    await s.defineLeaderboard({ id: 'time', operator: 'best', sort: 'asc' });
    const users: string[] = [];
    for (let i = 0; i < 12; i++) users.push(await s.createUser({ displayName: `p${i}` }));
    for (let i = 0; i < 12; i++) {
      clock.advance(1);
      expect(await s.submitScore('best', users[i]!, i * 10)).toBe(i * 10);
      await s.submitScore('sum', users[i]!, i);
      await s.submitScore('time', users[i]!, 1000 - i);
    }
    expect(await s.submitScore('best', users[0]!, -5)).toBe(0); // not better: kept
    expect(await s.submitScore('sum', users[0]!, 7)).toBe(7);
    expect(await s.submitScore('time', users[11]!, 2000)).toBe(989); // asc: lower is better
    clock.advance(1);
    expect(await s.submitScore('best', users[1]!, 110)).toBe(110); // ties p11 (110), but later
    const top = await s.topScores('best', 3);
    expect(top.map((e) => [e.rank, e.displayName, e.score])).toEqual([
      [1, 'p11', 110],
      [2, 'p1', 110],
      [3, 'p10', 100],
    ]);
    expect((await s.topScores('time', 2)).map((e) => e.score)).toEqual([989, 990]);
    const around = await s.scoresAround('best', users[5]!, 2);
    expect(around.map((e) => [e.rank, e.displayName])).toEqual([
      [6, 'p7'],
      [7, 'p6'],
      [8, 'p5'],
      [9, 'p4'],
      [10, 'p3'],
    ]);
    const first = await s.scoresAround('best', users[11]!, 2);
    expect(first.map((e) => e.rank)).toEqual([1, 2, 3]);
    expect(await s.scoresAround('best', 'not-ranked', 2)).toEqual([]);
    await expect(s.submitScore('nope', users[0]!, 1)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(s.submitScore('best', 'not-a-user', 1)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(s.submitScore('best', users[0]!, 1.5)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('sums clamp at the largest safe integer', async () => {
    await s.defineLeaderboard({ id: 'big', operator: 'sum' });
    const u = await s.createUser({ displayName: 'big' });
    await s.submitScore('big', u, Number.MAX_SAFE_INTEGER);
    expect(await s.submitScore('big', u, Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('resets by period: a new day starts empty, the old day stays readable', async () => {
    clock.set(Date.UTC(2026, 10, 30, 23, 59));
    await s.defineLeaderboard({ id: 'daily', operator: 'best', reset: 'daily' });
    const u = await s.createUser({ displayName: 'daily' });
    await s.submitScore('daily', u, 50);
    expect(await s.currentPeriod('daily')).toEqual({ period: 'd2026-11-30', endsMs: Date.UTC(2026, 11, 1) });
    clock.set(Date.UTC(2026, 11, 1, 0, 1));
    expect(await s.topScores('daily')).toEqual([]);
    await s.submitScore('daily', u, 20);
    expect((await s.topScores('daily')).map((e) => e.score)).toEqual([20]);
    expect((await s.topScores('daily', 10, { period: 'd2026-11-30' })).map((e) => e.score)).toEqual([50]);
    await expect(s.topScores('daily', 10, { period: "d'; --" })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('devices and identities: one owner per device, first login creates', async () => {
    const a = await s.createDeviceUser('device-aaaa', 'hash-a', 'Guest');
    expect(a.created).toBe(true);
    const again = await s.createDeviceUser('device-aaaa', 'hash-b', 'Guest');
    expect(again).toEqual({ userId: a.userId, created: false });
    expect(await s.findDevice('device-aaaa')).toEqual({ userId: a.userId, secretHash: 'hash-a' });
    const b = await s.createUser({ displayName: 'b' });
    await expect(s.linkDevice(b, 'device-aaaa', 'h')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await s.linkDevice(b, 'device-bbbb', 'h');
    expect((await s.findDevice('device-bbbb'))?.userId).toBe(b);
    await s.setCredentials(a.userId, { username: 'guest1', passwordHash: 'h1' });
    await expect(s.setCredentials(a.userId, { username: 'guest2', passwordHash: 'h1' })).rejects.toMatchObject({ code: 'STORAGE_CONFLICT' });
    const id1 = await s.identityUser('https://issuer', 'sub-1', 'Ext');
    expect(await s.identityUser('https://issuer', 'sub-1', 'Ext')).toBe(id1);
    expect(await s.identityUser('https://other', 'sub-1', 'Ext')).not.toBe(id1);
  });
});
