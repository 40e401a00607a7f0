import { ErrorCode } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { HearthClient } from '@hearth/client';
import { cleanup, track } from './support/clients.ts';
import { Echo, startNode } from './support/game.ts';
import { selfSignedCertificate, startTlsTerminator } from './support/tlsTerminator.ts';

afterEach(cleanup);

const certificate = selfSignedCertificate();

describe('TLS served by the node itself (AcceptOptions.tls)', () => {
  it.each(['tls', 'wss'] as const)('connects over %s, and refuses an untrusted certificate', async (scheme) => {
    const node = await startNode({ tls: certificate });
    track(() => node.close());
    expect(node.node.endpoints.map((e) => e.address.split(':')[0])).toEqual(['tls', 'wss']);
    const url = `${scheme}://127.0.0.1:${scheme === 'tls' ? node.tcpPort : node.wsPort}`;
    const client = new HearthClient({ url, serverKey: node.publicKeyHex, tls: { ca: certificate.cert } });
    track(() => client.close());
    await client.connect();
    await client.login({ name: `own-${scheme}` });
    await expect(client.request(Echo, { n: 9 })).resolves.toEqual({ n: 9 });
    const untrusted = new HearthClient({ url, serverKey: node.publicKeyHex, tls: {} });
    track(() => untrusted.close());
    await expect(untrusted.connect()).rejects.toMatchObject({ code: ErrorCode.HANDSHAKE_FAILED });
    // A plain client on a TLS port gets nowhere, and the node carries on.
    const plain = new HearthClient({ url: url.replace(/^tls:/, 'tcp:').replace(/^wss:/, 'ws:'), serverKey: node.publicKeyHex, handshakeTimeoutMs: 2_000 });
    track(() => plain.close());
    await expect(plain.connect()).rejects.toBeInstanceOf(Error);
    await expect(client.request(Echo, { n: 10 })).resolves.toEqual({ n: 10 });
  });
});

describe('TLS (tls:// and wss://) through a terminator with a self-signed certificate', () => {
  it.each([
    ['tls', 'tcpPort'],
    ['wss', 'wsPort'],
  ] as const)('connects over %s trusting the certificate, and refuses it untrusted', async (scheme, portOf) => {
    const node = await startNode();
    track(() => node.close());
    const terminator = await startTlsTerminator(node[portOf], certificate);
    track(() => terminator.close());
    const url = `${scheme}://127.0.0.1:${terminator.port}`;

    const client = new HearthClient({ url, serverKey: node.publicKeyHex, tls: { ca: certificate.cert } });
    track(() => client.close());
    await client.connect();
    await client.login({ name: `tls-${scheme}` });
    await expect(client.request(Echo, { n: 5 })).resolves.toEqual({ n: 5 });

    const untrusted = new HearthClient({ url, serverKey: node.publicKeyHex, tls: {} });
    track(() => untrusted.close());
    await expect(untrusted.connect()).rejects.toMatchObject({ code: ErrorCode.HANDSHAKE_FAILED, message: /self-signed.*tls\.ca/ });
  });
});
