import { connect } from 'node:net';
import { createServer, type Server } from 'node:tls';

// The certificate is net's test fixture (one maker for every TLS test); re-exported for the tests here and the bots'.
export { selfSignedCertificate } from '../../../net/test/fixtures/selfSignedCertificate.ts';

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
