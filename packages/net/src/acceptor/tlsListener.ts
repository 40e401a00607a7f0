import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import type { TlsCredentials } from '../ServiceOptions.ts';
import type { ConnectionGate } from './ConnectionGate.ts';

/**
 * The listener of a TLS acceptor (`tls://`, `wss://`): a `node:net` server whose sockets the gate
 * counts at their TCP accept, before any TLS work, so sockets sitting in a TLS handshake count
 * against `maxConnections` and the per-address limits. A refused socket is destroyed at once (it
 * cannot be told why without TLS); an admitted one is wrapped in server-side TLS and handed to
 * `accepted` at once, and to `secure` when its TLS handshake is done. From `accepted` on, the
 * caller bounds the handshake and releases the count (`gate.leave(host, undefined)`) when the
 * socket closes before becoming a session. A failed TLS handshake ends only that socket.
 */
export function tlsListener(
  credentials: TlsCredentials,
  gate: ConnectionGate,
  accepted: (socket: TLSSocket) => void,
  secure: (socket: TLSSocket) => void,
): Server {
  const secureContext = createSecureContext({ cert: pem(credentials.cert), key: pem(credentials.key) });
  return createServer({ noDelay: true }, (raw: Socket) => {
    const refusal = gate.enter(raw.remoteAddress);
    if (refusal !== undefined) {
      gate.refuseSocket(raw, refusal);
      return;
    }
    const socket = new TLSSocket(raw, { isServer: true, secureContext });
    // A TLS error (a scanner, a plain-TCP client) destroys the socket; its close releases the count.
    socket.on('error', () => socket.destroy());
    socket.once('secure', () => secure(socket));
    accepted(socket);
  });
}

/** PEM text for node:tls (a Uint8Array is taken as the file's bytes). */
export function pem(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value);
}
