import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClientHandshake, ErrorCode, SecureChannel, ServerHandshake, channelNonce, signedTranscript } from '../src/index.ts';
import { hex, providers, unhex } from './providers.ts';

interface Body {
  count: number;
  nonce: string;
  plaintext: string;
  body: string;
}
interface Vectors {
  serverSigningSeed: string;
  serverSigningPublicKey: string;
  serverSigningSecretKey: string;
  clientEphemeralSecretKey: string;
  clientEphemeralPublicKey: string;
  serverEphemeralSecretKey: string;
  serverEphemeralPublicKey: string;
  hello: string;
  signedBytes: string;
  signature: string;
  welcome: string;
  sharedKey: string;
  plainHello: string;
  plainWelcome: string;
  clientToServer: Body[];
  serverToClient: Body[];
}
const v = JSON.parse(readFileSync(new URL('./vectors/handshake-v1.json', import.meta.url), 'utf8')) as Vectors;

const clientKeys = () => ({ publicKey: unhex(v.clientEphemeralPublicKey), secretKey: unhex(v.clientEphemeralSecretKey) });
const serverKeys = () => ({ publicKey: unhex(v.serverEphemeralPublicKey), secretKey: unhex(v.serverEphemeralSecretKey) });

describe('known-answer vectors (test/vectors/handshake-v1.json)', () => {
  it('the nonces follow the layout: direction byte, 15 zero bytes, u64 big-endian count', () => {
    for (const b of v.clientToServer) expect(hex(channelNonce(0x43, b.count))).toBe(b.nonce);
    for (const b of v.serverToClient) expect(hex(channelNonce(0x53, b.count))).toBe(b.nonce);
    expect(hex(channelNonce(0x53, 2 ** 40 + 258))).toBe(`53${'00'.repeat(15)}0000010000000102`);
  });

  it('the plain hello and welcome', () => {
    const client = new ClientHandshake({ secure: false });
    expect(hex(client.hello())).toBe(v.plainHello);
    const { reply, channel } = new ServerHandshake({ secure: false }).receive(unhex(v.plainHello));
    expect(hex(reply)).toBe(v.plainWelcome);
    expect(channel.secure).toBe(false);
    expect(client.receive(unhex(v.plainWelcome)).secure).toBe(false);
  });

  describe.each(providers.map((p) => [p.name, p] as const))('with provider %s', (_name, provider) => {
    it('derives the keys and the signature of the vectors', () => {
      expect(hex(provider.signKeyPairFromSeed(unhex(v.serverSigningSeed)).secretKey)).toBe(v.serverSigningSecretKey);
      expect(hex(signedTranscript(unhex(v.clientEphemeralPublicKey), unhex(v.serverEphemeralPublicKey)))).toBe(v.signedBytes);
      expect(hex(provider.signDetached(unhex(v.signedBytes), unhex(v.serverSigningSecretKey)))).toBe(v.signature);
      expect(hex(provider.boxBefore(unhex(v.serverEphemeralPublicKey), unhex(v.clientEphemeralSecretKey)))).toBe(v.sharedKey);
      expect(hex(provider.boxBefore(unhex(v.clientEphemeralPublicKey), unhex(v.serverEphemeralSecretKey)))).toBe(v.sharedKey);
    });

    it('client side: hello bytes, accepts the welcome, seals and opens the exact bodies', () => {
      const client = new ClientHandshake({ secure: true, provider, ephemeralKeyPair: clientKeys(), serverSigningKey: unhex(v.serverSigningPublicKey) });
      expect(hex(client.hello())).toBe(v.hello);
      const channel = client.receive(unhex(v.welcome));
      expect(channel.secure).toBe(true);
      for (const b of v.clientToServer) expect(hex(channel.seal(unhex(b.plaintext)))).toBe(b.body);
      for (const b of v.serverToClient) expect(hex(channel.open(unhex(b.body)))).toBe(b.plaintext);
    });

    it('server side: welcome bytes, seals and opens the exact bodies', () => {
      const server = new ServerHandshake({ secure: true, provider, ephemeralKeyPair: serverKeys(), signingSecretKey: unhex(v.serverSigningSecretKey) });
      const { reply, channel } = server.receive(unhex(v.hello));
      expect(hex(reply)).toBe(v.welcome);
      for (const b of v.clientToServer) expect(hex(channel.open(unhex(b.body)))).toBe(b.plaintext);
      for (const b of v.serverToClient) expect(hex(channel.seal(unhex(b.plaintext)))).toBe(b.body);
    });

    it('a SecureChannel built from the shared key reproduces the bodies', () => {
      const client = new SecureChannel(unhex(v.sharedKey), 'client', provider);
      const server = new SecureChannel(unhex(v.sharedKey), 'server', provider);
      for (const b of v.clientToServer) expect(hex(server.open(unhex(hex(client.seal(unhex(b.plaintext))))))).toBe(b.plaintext);
      for (const b of v.serverToClient) expect(hex(server.seal(unhex(b.plaintext)))).toBe(b.body);
      expect(client.sent).toBe(2);
      expect(server.received).toBe(2);
    });
  });
});

describe('docs/protocol.md', () => {
  const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

  it('quotes the vectors exactly (the worked example cannot drift)', () => {
    const quoted = [
      v.serverSigningPublicKey,
      v.clientEphemeralPublicKey,
      v.serverEphemeralPublicKey,
      v.clientEphemeralSecretKey,
      v.serverEphemeralSecretKey,
      v.sharedKey,
      v.signature.slice(0, 64),
      v.signature.slice(64),
      ...[...v.clientToServer, ...v.serverToClient].map((b) => b.body),
    ];
    for (const hexString of quoted) expect(doc).toContain(hexString);
  });

  it('documents every wire code in the code table', () => {
    const local = new Set<string>([ErrorCode.CLOSED, ErrorCode.NORMAL, ErrorCode.DEFINITION]);
    const wire = Object.values(ErrorCode).filter((code) => !local.has(code));
    expect(wire.length).toBeGreaterThanOrEqual(19);
    for (const code of wire) expect(doc).toContain(`| \`${code}\` |`);
  });
});
