import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';

/** A self-signed certificate for 127.0.0.1 and localhost (made by the `openssl` command). */
export function selfSignedCertificate(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A TLS terminator in front of a plain port (what a load balancer does in production): TLS in,
 * bytes passed on to `127.0.0.1:targetPort`. Works for TCP frames and WebSocket alike.
 */
export async function startTlsTerminator(targetPort: number, certificate: { cert: string; key: string }): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer({ cert: certificate.cert, key: certificate.key }, (tlsSocket) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    tlsSocket.on('error', () => upstream.destroy());
    upstream.on('error', () => tlsSocket.destroy());
    tlsSocket.pipe(upstream).pipe(tlsSocket);
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
