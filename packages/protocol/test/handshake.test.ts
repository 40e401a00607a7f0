import { decode, encode } from '@msgpack/msgpack';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import {
  ClientHandshake,
  ErrorCode,
  HandshakeError,
  HearthError,
  ServerHandshake,
  generateSigningKeyPair,
  handshakeErrorBody,
  type Channel,
  type CryptoProvider,
} from '../src/index.ts';
import { hex, providers, thrown } from './providers.ts';

const signing = generateSigningKeyPair();

function connect(clientProvider: CryptoProvider, serverProvider: CryptoProvider): { client: Channel; server: Channel } {
  const hs = new ClientHandshake({ secure: true, provider: clientProvider, serverSigningKey: signing.publicKey });
  const { reply, channel: server } = new ServerHandshake({ secure: true, provider: serverProvider, signingSecretKey: signing.secretKey }).receive(hs.hello());
  return { client: hs.receive(reply), server };
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('handshake good path', () => {
  for (const c of providers) {
    for (const s of providers) {
      it(`client ${c.name} and server ${s.name} agree and exchange bodies both ways`, () => {
        const { client, server } = connect(c, s);
        for (let i = 0; i < 3; i++) {
          expect(text(server.open(client.seal(bytes(`up ${i}`))))).toBe(`up ${i}`);
          expect(text(client.open(server.seal(bytes(`down ${i}`))))).toBe(`down ${i}`);
        }
      });
    }
  }

  it('plain: no keys, bodies pass through as the same arrays', () => {
    const hs = new ClientHandshake({ secure: false });
    const { reply, channel: server } = new ServerHandshake({ secure: false }).receive(hs.hello());
    const client = hs.receive(reply);
    const body = bytes('x');
    expect(client.seal(body)).toBe(body);
    expect(server.open(body)).toBe(body);
    expect(client.secure || server.secure).toBe(false);
  });

  it('without a pinned key the client accepts any signature', () => {
    const hs = new ClientHandshake({ secure: true });
    const { reply } = new ServerHandshake({ secure: true, signingSecretKey: generateSigningKeyPair().secretKey }).receive(hs.hello());
    expect(hs.receive(reply).secure).toBe(true);
  });

  it('never mutates the keys passed in options', () => {
    const secret = signing.secretKey.slice();
    const pinned = signing.publicKey.slice();
    const eph = nacl.box.keyPair();
    const ephCopy = hex(eph.secretKey) + hex(eph.publicKey);
    const hs = new ClientHandshake({ secure: true, serverSigningKey: pinned, ephemeralKeyPair: eph });
    const { reply } = new ServerHandshake({ secure: true, signingSecretKey: secret, ephemeralKeyPair: nacl.box.keyPair() }).receive(hs.hello());
    hs.receive(reply);
    expect(hex(secret)).toBe(hex(signing.secretKey));
    expect(hex(pinned)).toBe(hex(signing.publicKey));
    expect(hex(eph.secretKey) + hex(eph.publicKey)).toBe(ephCopy);
  });

  it('keeps its own copy of option keys (later changes by the caller do not matter)', () => {
    const secret = signing.secretKey.slice();
    const server = new ServerHandshake({ secure: true, signingSecretKey: secret });
    secret.fill(0);
    const hs = new ClientHandshake({ secure: true, serverSigningKey: signing.publicKey });
    expect(hs.receive(server.receive(hs.hello()).reply).secure).toBe(true);
  });
});

describe('handshake failures (server side)', () => {
  const secureServer = () => new ServerHandshake({ secure: true, signingSecretKey: signing.secretKey });
  const C = nacl.box.keyPair().publicKey;

  function refusal(server: ServerHandshake, hello: Uint8Array): { code: string | undefined; reply: unknown } {
    const err = thrown(() => server.receive(hello));
    expect(err).toBeInstanceOf(HandshakeError);
    expect(err).toBeInstanceOf(HearthError);
    const reply = decode(err.reply!) as unknown[];
    expect(reply[0]).toBe('error');
    expect(reply[1]).toBe(err.code);
    expect(typeof reply[2]).toBe('string');
    return { code: err.code, reply };
  }

  it('wrong magic: HANDSHAKE_FAILED', () => {
    expect(refusal(secureServer(), encode(['hearth2', 1, C])).code).toBe(ErrorCode.HANDSHAKE_FAILED);
    expect(refusal(secureServer(), encode(['HEARTH', 1, C])).code).toBe(ErrorCode.HANDSHAKE_FAILED);
  });

  it('wrong version: VERSION_UNSUPPORTED, whatever follows it', () => {
    expect(refusal(secureServer(), encode(['hearth', 2, C])).code).toBe(ErrorCode.VERSION_UNSUPPORTED);
    expect(refusal(secureServer(), encode(['hearth', 0, C])).code).toBe(ErrorCode.VERSION_UNSUPPORTED);
    expect(refusal(new ServerHandshake({ secure: false }), encode(['hearth', 2, null, 'new field'])).code).toBe(ErrorCode.VERSION_UNSUPPORTED);
  });

  it('mode mismatch: C nil against a secure server, C against a plain server', () => {
    expect(refusal(secureServer(), encode(['hearth', 1, null])).code).toBe(ErrorCode.HANDSHAKE_FAILED);
    expect(refusal(new ServerHandshake({ secure: false }), encode(['hearth', 1, C])).code).toBe(ErrorCode.HANDSHAKE_FAILED);
  });

  it('malformed hellos: HANDSHAKE_FAILED', () => {
    const bad = [
      new Uint8Array(0),
      Uint8Array.of(0xc1),
      encode({ hearth: 1 }),
      encode(['hearth', 1]),
      encode(['hearth', 1, C, null]),
      encode(['hearth', 1, C.subarray(0, 31)]),
      encode(['hearth', 1, 'x'.repeat(32)]),
      Uint8Array.from([...encode(['hearth', 1, C]), 0x00]), // trailing bytes
    ];
    for (const hello of bad) expect(refusal(secureServer(), hello).code).toBe(ErrorCode.HANDSHAKE_FAILED);
  });

  it.each(providers.map((p) => [p.name, p] as const))('a low-order client key: HANDSHAKE_FAILED (%s)', (_n, provider) => {
    const server = new ServerHandshake({ secure: true, provider, signingSecretKey: signing.secretKey });
    expect(refusal(server, encode(['hearth', 1, new Uint8Array(32)])).code).toBe(ErrorCode.HANDSHAKE_FAILED);
  });

  it('a second hello is refused', () => {
    const server = secureServer();
    server.receive(new ClientHandshake({ secure: true }).hello());
    expect(server.state).toBe('done');
    expect(refusal(server, new ClientHandshake({ secure: true }).hello()).code).toBe(ErrorCode.HANDSHAKE_FAILED);
  });

  it('a secure server needs a 64-byte signing key', () => {
    expect(() => new ServerHandshake({ secure: true })).toThrow(/signingSecretKey/);
    expect(() => new ServerHandshake({ secure: true, signingSecretKey: signing.publicKey })).toThrow(/64-byte/);
  });

  it('handshakeErrorBody is ["error", code, text]', () => {
    expect(decode(handshakeErrorBody('VERSION_UNSUPPORTED', 'upgrade'))).toEqual(['error', 'VERSION_UNSUPPORTED', 'upgrade']);
  });
});

describe('handshake failures (client side)', () => {
  function welcomeFor(hs: ClientHandshake, secure = true): Uint8Array {
    return new ServerHandshake({ secure, signingSecretKey: signing.secretKey }).receive(hs.hello()).reply;
  }

  it.each(providers.map((p) => [p.name, p] as const))('bad signature with a pinned key: HANDSHAKE_FAILED (%s)', (_n, provider) => {
    const hs = new ClientHandshake({ secure: true, provider, serverSigningKey: generateSigningKeyPair().publicKey });
    const err = thrown(() => hs.receive(welcomeFor(hs)));
    expect(err.code).toBe(ErrorCode.HANDSHAKE_FAILED);
    expect(err.message).toMatch(/man in the middle/);
    expect(hs.state).toBe('failed');
  });

  it('a tampered S or SIG fails against the pinned key (a MITM swapping S is caught)', () => {
    for (const at of [11, 11 + 32 + 3]) {
      const hs = new ClientHandshake({ secure: true, serverSigningKey: signing.publicKey });
      const welcome = welcomeFor(hs).slice();
      welcome[at] = welcome[at]! ^ 1;
      expect(thrown(() => hs.receive(welcome)).code).toBe(ErrorCode.HANDSHAKE_FAILED);
    }
  });

  it('mode mismatch: plain welcome to a secure client, secure welcome to a plain client', () => {
    const secure = new ClientHandshake({ secure: true });
    secure.hello();
    expect(thrown(() => secure.receive(encode(['hearth', 1, null, null]))).code).toBe(ErrorCode.HANDSHAKE_FAILED);
    const plain = new ClientHandshake({ secure: false });
    plain.hello();
    const S = nacl.box.keyPair().publicKey;
    expect(thrown(() => plain.receive(encode(['hearth', 1, S, new Uint8Array(64)]))).code).toBe(ErrorCode.HANDSHAKE_FAILED);
  });

  it('wrong magic or version in the welcome', () => {
    const a = new ClientHandshake({ secure: false });
    a.hello();
    expect(thrown(() => a.receive(encode(['hearth', 3, null, null]))).code).toBe(ErrorCode.VERSION_UNSUPPORTED);
    const b = new ClientHandshake({ secure: false });
    b.hello();
    expect(thrown(() => b.receive(encode(['earth', 1, null, null]))).code).toBe(ErrorCode.HANDSHAKE_FAILED);
  });

  it("surfaces the server's error body with the server's code", () => {
    const hs = new ClientHandshake({ secure: true });
    const refusalBody = welcomeOrError(hs);
    const err = thrown(() => hs.receive(refusalBody));
    expect(err).toBeInstanceOf(HearthError);
    expect(err.code).toBe(ErrorCode.HANDSHAKE_FAILED);
    expect(err.message).toMatch(/plain protocol/);
    const v = new ClientHandshake({ secure: false });
    v.hello();
    expect(thrown(() => v.receive(handshakeErrorBody('VERSION_UNSUPPORTED', 'speak v2'))).code).toBe('VERSION_UNSUPPORTED');
  });

  it('receive before hello, and hello twice, are refused', () => {
    const hs = new ClientHandshake({ secure: false });
    expect(thrown(() => hs.receive(encode(['hearth', 1, null, null]))).code).toBe(ErrorCode.HANDSHAKE_FAILED);
    hs.hello();
    expect(thrown(() => hs.hello()).code).toBe(ErrorCode.HANDSHAKE_FAILED);
  });

  it('rejects a pinned key of the wrong size at construction', () => {
    expect(() => new ClientHandshake({ secure: true, serverSigningKey: signing.secretKey })).toThrow(/32-byte/);
  });
});

/** A secure client's hello sent to a plain server: the server's refusal body. */
function welcomeOrError(hs: ClientHandshake): Uint8Array {
  const err = thrown(() => new ServerHandshake({ secure: false }).receive(hs.hello()));
  return err.reply!;
}

describe.each(providers.map((p) => [p.name, p] as const))('secure channel integrity (%s)', (_n, provider) => {
  const pair = () => connect(provider, provider);

  it('a tampered body fails with BAD_MAC', () => {
    const { client, server } = pair();
    const body = client.seal(bytes('hello')).slice();
    for (const at of [0, 16, body.length - 1]) {
      const bad = body.slice();
      bad[at] = bad[at]! ^ 1;
      expect(thrown(() => server.open(bad)).code).toBe(ErrorCode.BAD_MAC);
    }
    expect(text(server.open(body))).toBe('hello'); // the untampered one still opens: counter not advanced by failures
  });

  it('a replayed body fails with BAD_MAC', () => {
    const { client, server } = pair();
    const body = client.seal(bytes('once'));
    server.open(body);
    expect(thrown(() => server.open(body)).code).toBe(ErrorCode.BAD_MAC);
  });

  it('a dropped body makes the next fail with BAD_MAC', () => {
    const { client, server } = pair();
    client.seal(bytes('lost'));
    expect(thrown(() => server.open(client.seal(bytes('next')))).code).toBe(ErrorCode.BAD_MAC);
  });

  it('reordered bodies fail with BAD_MAC', () => {
    const { client, server } = pair();
    const first = client.seal(bytes('1'));
    const second = client.seal(bytes('2'));
    expect(thrown(() => server.open(second)).code).toBe(ErrorCode.BAD_MAC);
    expect(text(server.open(first))).toBe('1');
    expect(text(server.open(second))).toBe('2');
  });

  it('a body reflected back to its sender fails with BAD_MAC (directions differ)', () => {
    const { client } = pair();
    expect(thrown(() => client.open(client.seal(bytes('echo')))).code).toBe(ErrorCode.BAD_MAC);
  });

  it('a body from another connection fails with BAD_MAC', () => {
    const a = pair();
    const b = pair();
    expect(thrown(() => b.server.open(a.client.seal(bytes('x')))).code).toBe(ErrorCode.BAD_MAC);
  });

  it('a too-short body fails with BAD_MAC', () => {
    const { server } = pair();
    expect(thrown(() => server.open(new Uint8Array(5))).code).toBe(ErrorCode.BAD_MAC);
  });
});
