// Regenerates handshake-v1.json from tweetnacl and @msgpack/msgpack directly (not from the code under
// test), so the vectors are an independent reference:
//   node --import tsx test/vectors/generate.ts
// The file is committed; regenerating must not change it.
import { encode } from '@msgpack/msgpack';
import { writeFileSync } from 'node:fs';
import nacl from 'tweetnacl';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const pattern = (start: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (start + i) & 0xff);
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
const batch = (...messages: unknown[]): Uint8Array => concat(...messages.map((m) => encode(m)));

function nonce(direction: number, count: number): Uint8Array {
  const n = new Uint8Array(24);
  n[0] = direction;
  new DataView(n.buffer).setBigUint64(16, BigInt(count));
  return n;
}

const signing = nacl.sign.keyPair.fromSeed(pattern(0x00));
const client = nacl.box.keyPair.fromSecretKey(pattern(0x40));
const server = nacl.box.keyPair.fromSecretKey(pattern(0x80));
const hello = encode(['hearth', 1, client.publicKey]);
const signedBytes = concat(new TextEncoder().encode('hearth/1'), client.publicKey, server.publicKey);
const signature = nacl.sign.detached(signedBytes, signing.secretKey);
const welcome = encode(['hearth', 1, server.publicKey, signature]);
const sharedKey = nacl.box.before(server.publicKey, client.secretKey);
if (hex(sharedKey) !== hex(nacl.box.before(client.publicKey, server.secretKey))) throw new Error('box.before is not symmetric');

function bodies(direction: number, plaintexts: { note: string; plaintext: Uint8Array }[]) {
  return plaintexts.map(({ note, plaintext }, count) => {
    const n = nonce(direction, count);
    return { note, count, nonce: hex(n), plaintext: hex(plaintext), body: hex(nacl.secretbox(plaintext, n, sharedKey)) };
  });
}

const vectors = {
  description:
    'Known-answer vectors of the Hearth wire protocol v1 (docs/protocol.md). All byte strings are hex. Keys are fixed for the test only: real ephemeral keys are fresh per connection.',
  protocolVersion: 1,
  serverSigningSeed: hex(pattern(0x00)),
  serverSigningPublicKey: hex(signing.publicKey),
  serverSigningSecretKey: hex(signing.secretKey),
  clientEphemeralSecretKey: hex(client.secretKey),
  clientEphemeralPublicKey: hex(client.publicKey),
  serverEphemeralSecretKey: hex(server.secretKey),
  serverEphemeralPublicKey: hex(server.publicKey),
  hello: hex(hello),
  signedBytes: hex(signedBytes),
  signature: hex(signature),
  welcome: hex(welcome),
  sharedKey: hex(sharedKey),
  plainHello: hex(encode(['hearth', 1, null])),
  plainWelcome: hex(encode(['hearth', 1, null, null])),
  clientToServer: bodies(0x43, [
    { note: 'login request [1, 1, {"name": "ada"}, 1]', plaintext: batch([1, 1, { name: 'ada' }, 1]) },
    { note: 'ping [4, 1000]', plaintext: batch([4, 1000]) },
  ]),
  serverToClient: bodies(0x53, [
    { note: 'login reply [2, 1, {"userId": "u1", "resumeToken": "t1"}]', plaintext: batch([2, 1, { userId: 'u1', resumeToken: 't1' }]) },
    { note: 'a batch of two messages: pong [5, 1000] then push [0, 100, "hi"]', plaintext: batch([5, 1000], [0, 100, 'hi']) },
  ]),
};

writeFileSync(new URL('./handshake-v1.json', import.meta.url), `${JSON.stringify(vectors, null, 2)}\n`);
