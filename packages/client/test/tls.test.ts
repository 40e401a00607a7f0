import { ErrorCode } from '@hearth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { HearthClient } from '../src/index.ts';
import { cleanup, track } from './support/clients.ts';
import { Echo, startNode } from './support/game.ts';
import { selfSignedCertificate, startTlsTerminator } from './support/tlsTerminator.ts';

afterEach(cleanup);

describe('TLS (tls:// and wss://) through a terminator with a self-signed certificate', () => {
  const certificate = selfSignedCertificate();

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
