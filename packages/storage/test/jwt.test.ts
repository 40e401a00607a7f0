import { createServer, type Server } from 'node:http';
import type { Admission, Authenticator, Refusal } from '@hearth/actor';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts, jwtAuthenticator } from '../src/index.ts';
import { openTestStorage, testClock, type TestStorage } from './engines.ts';

const ISSUER = 'https://id.test';
const ctx = { sessionId: 1, remoteAddress: '127.0.0.1:1' };

async function login(auth: Authenticator, token: unknown): Promise<{ userId?: string; code?: string; reply?: unknown }> {
  try {
    const r = (await auth({ token }, ctx)) as Admission | Refusal;
    return 'refused' in r ? { code: r.refused } : { userId: r.userId, reply: r.reply };
  } catch (e) {
    return { code: (e as { code?: string }).code ?? 'THROWN' };
  }
}

/** A JWKS endpoint on 127.0.0.1 serving `keys`; counts requests. */
async function startJwks(keys: object[]): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/.well-known/jwks.json`, hits: () => hits, close: () => new Promise((r) => server.close(() => r())) };
}

describe('jwt authenticator (PGlite)', () => {
  const clock = testClock();
  let t: TestStorage;
  let accounts: Accounts;
  let key: { publicKey: CryptoKey; privateKey: CryptoKey };
  let other: { publicKey: CryptoKey; privateKey: CryptoKey };
  const sign = (claims: JWTPayload, opts: { kid?: string; exp?: number; iss?: string; aud?: string; signer?: CryptoKey } = {}): Promise<string> =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', ...(opts.kid && { kid: opts.kid }) })
      .setIssuer(opts.iss ?? ISSUER)
      .setAudience(opts.aud ?? 'hearth')
      .setIssuedAt(Math.floor(clock.now() / 1000))
      .setExpirationTime(opts.exp ?? Math.floor(clock.now() / 1000) + 600)
      .sign(opts.signer ?? key.privateKey);

  beforeAll(async () => {
    t = await openTestStorage('pglite', { now: clock.now });
    accounts = new Accounts(t.storage);
    key = await generateKeyPair('ES256');
    other = await generateKeyPair('ES256');
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('with a key: same subject → same account; bad tokens refused UNAUTHENTICATED', async () => {
    const auth = jwtAuthenticator(accounts, { key: key.publicKey, issuer: ISSUER, audience: 'hearth', now: clock.now });
    const a = await login(auth, await sign({ sub: 'user-1', name: 'Grace' }));
    expect(a.reply).toMatchObject({ displayName: 'Grace' });
    expect((await login(auth, await sign({ sub: 'user-1' }))).userId).toBe(a.userId);
    expect((await login(auth, await sign({ sub: 'user-2', name: '\u0000bad' }))).reply).toMatchObject({ displayName: 'Player' });
    expect(await login(auth, await sign({ sub: 'user-1' }, { signer: other.privateKey }))).toEqual({ code: 'UNAUTHENTICATED' });
    expect(await login(auth, await sign({ sub: 'user-1' }, { iss: 'https://evil.test' }))).toEqual({ code: 'UNAUTHENTICATED' });
    expect(await login(auth, await sign({ sub: 'user-1' }, { aud: 'other' }))).toEqual({ code: 'UNAUTHENTICATED' });
    expect(await login(auth, await sign({}))).toEqual({ code: 'UNAUTHENTICATED' });
    expect(await login(auth, await sign({ sub: "x'OR'1'='1;DROP-TABLE--" }))).toMatchObject({ userId: expect.any(String) });
    expect(await login(auth, await sign({ sub: 'has space' }))).toEqual({ code: 'UNAUTHENTICATED' });
    // alg "none" and garbage
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'user-1', iss: ISSUER })).toString('base64url')}.`;
    expect(await login(auth, none)).toEqual({ code: 'UNAUTHENTICATED' });
    expect(await login(auth, 'not.a.jwt')).toEqual({ code: 'UNAUTHENTICATED' });
    expect(await login(auth, 'x'.repeat(8193))).toEqual({ code: 'TOO_LARGE' });
    expect(await login(auth, 42)).toEqual({ code: 'BAD_REQUEST' });
  });

  it('expiry follows the injected clock (with 30 s tolerance)', async () => {
    const auth = jwtAuthenticator(accounts, { key: key.publicKey, issuer: ISSUER, now: clock.now });
    const token = await sign({ sub: 'user-3' }, { exp: Math.floor(clock.now() / 1000) + 60 });
    expect((await login(auth, token)).userId).toBeDefined();
    clock.advance(85_000);
    expect((await login(auth, token)).userId).toBeDefined();
    clock.advance(10_000);
    expect(await login(auth, token)).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('with a JWKS URL on 127.0.0.1: keys fetched by kid; endpoint down → STORAGE_UNAVAILABLE', async () => {
    const jwk = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const jwks = await startJwks([jwk]);
    try {
      const auth = jwtAuthenticator(accounts, { jwksUrl: jwks.url, issuer: ISSUER, now: clock.now, jwksTimeoutMs: 2000 });
      const a = await login(auth, await sign({ sub: 'jwks-user' }, { kid: 'k1' }));
      expect(a.userId).toBeDefined();
      expect((await login(auth, await sign({ sub: 'jwks-user' }, { kid: 'k1' }))).userId).toBe(a.userId);
      expect(jwks.hits()).toBe(1); // cached
      expect(await login(auth, await sign({ sub: 'jwks-user' }, { kid: 'k1', signer: other.privateKey }))).toEqual({ code: 'UNAUTHENTICATED' });
    } finally {
      await jwks.close();
    }
    // A fresh authenticator (no cached keys) against the closed endpoint.
    const down = jwtAuthenticator(accounts, { jwksUrl: jwks.url, issuer: ISSUER, now: clock.now, jwksTimeoutMs: 2000 });
    expect(await login(down, await sign({ sub: 'jwks-user' }, { kid: 'k1' }))).toEqual({ code: 'STORAGE_UNAVAILABLE' });
  });

  it('needs exactly one of key and jwksUrl', () => {
    expect(() => jwtAuthenticator(accounts, { issuer: ISSUER })).toThrow(/exactly one/);
  });
});
