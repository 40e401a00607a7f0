import type { ProtocolFactory } from './ProtocolFactory.ts';

/** The protocols every service starts with: `msgpack` and `msgpack+nacl`. */
export function builtinProtocols(): Array<[string, ProtocolFactory]> {
  return [];
}
