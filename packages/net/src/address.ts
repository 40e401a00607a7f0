import { ErrorCode, HearthError } from '@hearth/protocol';

/** A parsed service address. */
export interface ParsedAddress {
  readonly transport: 'tcp' | 'ws';
  readonly host: string;
  readonly port: number;
  /** WebSocket path (`/` when none). */
  readonly path: string;
}

/**
 * Parses `tcp://host:port` or `ws://host:port[/path]` (port 0 = ephemeral, on accept).
 * @throws {HearthError} `DEFINITION` for any other form.
 */
export function parseAddress(address: string): ParsedAddress {
  let url: URL;
  try {
    url = new URL(address);
  } catch (cause) {
    throw new HearthError(ErrorCode.DEFINITION, `bad address "${address}": use tcp://host:port or ws://host:port`, { cause });
  }
  const transport = url.protocol === 'tcp:' ? 'tcp' : url.protocol === 'ws:' ? 'ws' : undefined;
  // `ws:` is a special scheme: URL drops its default port 80; `tcp:` has no default.
  const port = url.port !== '' ? Number(url.port) : transport === 'ws' ? 80 : undefined;
  if (transport === undefined || url.hostname === '' || port === undefined) {
    throw new HearthError(ErrorCode.DEFINITION, `bad address "${address}": use tcp://host:port or ws://host:port`);
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { transport, host, port, path: url.pathname || '/' };
}

/** Formats an address back (`tcp://127.0.0.1:7700`). */
export function formatAddress(transport: 'tcp' | 'ws', host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `${transport}://${h}:${port}`;
}
