import {
  ClientHandshake,
  ServerHandshake,
  generateSigningKeyPair,
  handshakeErrorBody,
  type CryptoProvider,
} from '@hearth/protocol';
import type { ProtocolFactory, ServerProtocolOptions } from './ProtocolFactory.ts';

/** Options of {@link builtinProtocols}. */
export interface BuiltinProtocolOptions {
  /** Crypto of the server side. @defaultValue the protocol's default (tweetnacl) */
  serverProvider?: CryptoProvider;
  /** Crypto of the client side. @defaultValue the protocol's default (tweetnacl) */
  clientProvider?: CryptoProvider;
}

/**
 * The protocols every service starts with: `msgpack` (plain) and `msgpack+nacl` (X25519 key
 * exchange signed by the server's Ed25519 key, then XSalsa20-Poly1305 per batch). Refusals are the
 * handshake error body `["error", code, text]`. A secure acceptor given no `signingSecretKey`
 * uses a key pair generated once per registry (clients then cannot pin it: pass a key to do so).
 */
export function builtinProtocols(options: BuiltinProtocolOptions = {}): Array<[string, ProtocolFactory]> {
  let generated: Uint8Array | undefined;
  const serverKey = (o: ServerProtocolOptions): Uint8Array =>
    o.signingSecretKey ?? (generated ??= generateSigningKeyPair(options.serverProvider).secretKey);
  const server = options.serverProvider === undefined ? {} : { provider: options.serverProvider };
  const client = options.clientProvider === undefined ? {} : { provider: options.clientProvider };
  return [
    [
      'msgpack',
      {
        client: () => new ClientHandshake({ secure: false }),
        server: () => new ServerHandshake({ secure: false }),
        refusal: handshakeErrorBody,
      },
    ],
    [
      'msgpack+nacl',
      {
        client: (o) =>
          new ClientHandshake(
            o.serverSigningKey === undefined ? { secure: true, ...client } : { secure: true, ...client, serverSigningKey: o.serverSigningKey },
          ),
        server: (o) => new ServerHandshake({ secure: true, ...server, signingSecretKey: serverKey(o) }),
        refusal: handshakeErrorBody,
      },
    ],
  ];
}
