import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { hsalsa20 } from '../src/crypto/hsalsa20.ts';
import { LOW_ORDER_SHARED_KEY_HEX } from '../src/handshake/handshakeWire.ts';
import { generateSigningKeyPair } from '../src/index.ts';
import { hex, providers } from './providers.ts';

const sizes = [0, 1, 15, 16, 17, 64, 1024, 65_537];

describe('hsalsa20', () => {
  it('gives nacl.box.before from a raw X25519 result', () => {
    for (let i = 0; i < 20; i++) {
      const a = nacl.box.keyPair();
      const b = nacl.box.keyPair();
      const raw = nacl.scalarMult(a.secretKey, b.publicKey);
      expect(hex(hsalsa20(raw, new Uint8Array(16)))).toBe(hex(nacl.box.before(b.publicKey, a.secretKey)));
    }
  });
  it('matches the low-order constant the handshakes refuse', () => {
    expect(hex(hsalsa20(new Uint8Array(32), new Uint8Array(16)))).toBe(LOW_ORDER_SHARED_KEY_HEX);
    expect(hex(nacl.box.before(new Uint8Array(32), nacl.box.keyPair().secretKey))).toBe(LOW_ORDER_SHARED_KEY_HEX);
  });
});

describe.each(providers.map((p) => [p.name, p] as const))('provider %s is byte-identical to tweetnacl', (_name, p) => {
  it('boxKeyPair gives a matching X25519 pair', () => {
    for (let i = 0; i < 5; i++) {
      const kp = p.boxKeyPair();
      expect(kp.secretKey).toHaveLength(32);
      expect(hex(kp.publicKey)).toBe(hex(nacl.box.keyPair.fromSecretKey(kp.secretKey).publicKey));
    }
  });

  it('boxBefore equals nacl.box.before, both ways, for its own and for foreign keys', () => {
    for (let i = 0; i < 10; i++) {
      const mine = p.boxKeyPair();
      const theirs = nacl.box.keyPair();
      const expected = hex(nacl.box.before(mine.publicKey, theirs.secretKey));
      expect(hex(p.boxBefore(theirs.publicKey, mine.secretKey))).toBe(expected);
      expect(hex(p.boxBefore(mine.publicKey, theirs.secretKey))).toBe(expected);
      expect(hex(p.boxBefore(theirs.publicKey, mine.secretKey.slice()))).toBe(expected); // not through a cache
    }
  });

  it('signKeyPairFromSeed, signDetached and verifyDetached agree with nacl.sign', () => {
    for (let i = 0; i < 5; i++) {
      const seed = nacl.randomBytes(32);
      const ref = nacl.sign.keyPair.fromSeed(seed);
      const kp = p.signKeyPairFromSeed(seed);
      expect(hex(kp.publicKey)).toBe(hex(ref.publicKey));
      expect(hex(kp.secretKey)).toBe(hex(ref.secretKey));
      const message = nacl.randomBytes(72);
      const signature = p.signDetached(message, ref.secretKey);
      expect(hex(signature)).toBe(hex(nacl.sign.detached(message, ref.secretKey)));
      expect(p.verifyDetached(message, signature, ref.publicKey)).toBe(true);
      const bad = signature.slice();
      bad[i] = bad[i]! ^ 1;
      expect(p.verifyDetached(message, bad, ref.publicKey)).toBe(false);
      expect(p.verifyDetached(message, signature, nacl.sign.keyPair().publicKey)).toBe(false);
      expect(p.verifyDetached(message, signature.subarray(0, 63), ref.publicKey)).toBe(false);
    }
  });

  it('signs with two different keys in turn (no stale key cache)', () => {
    const a = nacl.sign.keyPair();
    const b = nacl.sign.keyPair();
    const m = nacl.randomBytes(10);
    for (const kp of [a, b, a, b]) expect(hex(p.signDetached(m, kp.secretKey))).toBe(hex(nacl.sign.detached(m, kp.secretKey)));
    const key = a.secretKey.slice();
    expect(hex(p.signDetached(m, key))).toBe(hex(nacl.sign.detached(m, a.secretKey)));
    key.set(b.secretKey); // same array, new contents
    expect(hex(p.signDetached(m, key))).toBe(hex(nacl.sign.detached(m, b.secretKey)));
  });

  it('signKeyPair and generateSigningKeyPair make working pairs', () => {
    for (const kp of [p.signKeyPair(), generateSigningKeyPair(p)]) {
      expect(kp.publicKey).toHaveLength(32);
      expect(hex(nacl.sign.keyPair.fromSecretKey(kp.secretKey).publicKey)).toBe(hex(kp.publicKey));
    }
  });

  it.each(sizes)('secretbox of %i bytes equals nacl.secretbox and opens with every provider', (size) => {
    const key = nacl.randomBytes(32);
    const nonce = nacl.randomBytes(24);
    const message = nacl.randomBytes(size);
    const copy = message.slice();
    const box = p.secretbox(message, nonce, key);
    expect(hex(box)).toBe(hex(nacl.secretbox(message, nonce, key)));
    expect(hex(message)).toBe(hex(copy)); // inputs untouched
    for (const other of providers) {
      expect(hex(other.secretboxOpen(box, nonce, key)!)).toBe(hex(message));
      expect(hex(p.secretboxOpen(other.secretbox(message, nonce, key), nonce, key)!)).toBe(hex(message));
    }
  });

  it('secretboxOpen returns null on any tampering, a short box, or the wrong nonce or key', () => {
    const key = nacl.randomBytes(32);
    const nonce = nacl.randomBytes(24);
    const box = p.secretbox(nacl.randomBytes(40), nonce, key);
    for (const at of [0, 15, 16, box.length - 1]) {
      const bad = box.slice();
      bad[at] = bad[at]! ^ 0x80;
      expect(p.secretboxOpen(bad, nonce, key)).toBeNull();
    }
    expect(p.secretboxOpen(box.subarray(0, 15), nonce, key)).toBeNull();
    expect(p.secretboxOpen(new Uint8Array(0), nonce, key)).toBeNull();
    expect(p.secretboxOpen(box, nacl.randomBytes(24), key)).toBeNull();
    expect(p.secretboxOpen(box, nonce, nacl.randomBytes(32))).toBeNull();
  });

  it('boxBefore of a low-order public key throws or yields the refused constant', () => {
    const secret = p.boxKeyPair().secretKey;
    let key: string | undefined;
    try {
      key = hex(p.boxBefore(new Uint8Array(32), secret));
    } catch {
      key = LOW_ORDER_SHARED_KEY_HEX; // node:crypto and libsodium refuse it outright
    }
    expect(key).toBe(LOW_ORDER_SHARED_KEY_HEX);
  });

  it('randomBytes gives distinct bytes of the asked length', () => {
    const a = p.randomBytes(32);
    expect(a).toHaveLength(32);
    expect(hex(a)).not.toBe(hex(p.randomBytes(32)));
    expect(p.randomBytes(0)).toHaveLength(0);
  });
});
