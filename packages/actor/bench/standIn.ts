import type { ProtocolFactory, Service, SessionChannel } from '@hearth/net';

const identity: SessionChannel = { secure: false, seal: (b) => b, open: (b) => b };
const standIn: ProtocolFactory = {
  client: () => ({ hello: () => Uint8Array.of(1), receive: () => identity }),
  server: () => ({ receive: () => ({ reply: Uint8Array.of(2), channel: identity }) }),
  refusal: () => Uint8Array.of(0xff),
};

/**
 * Until @hearth/net ships its built-in `msgpack` protocol, registers a plain stand-in under that name
 * (one-byte handshake, identity channel: the same framing and batches). Returns whether it did.
 */
export function ensurePlain(service: Service): boolean {
  if (service.protocols.has('msgpack')) return false;
  service.protocols.register('msgpack', standIn);
  return true;
}
