import { connect as netConnect } from 'node:net';
import { ErrorCode, HearthError, type ByteAllocator } from '@hearth/protocol';
import { WebSocket } from 'ws';
import type { ParsedAddress } from '../address.ts';
import type { Link } from '../transport/Link.ts';
import { TcpLink } from '../transport/TcpLink.ts';
import { WsLink } from '../transport/WsLink.ts';

/** Options of {@link dial}. */
export interface DialOptions {
  maxFrameBytes: number;
  allocator: ByteAllocator;
  /** Give up connecting after this many ms. */
  timeoutMs: number;
}

/**
 * Opens a transport connection to `address` and resolves with its link once connected.
 * @throws {HearthError} `CLOSED` (refused, unreachable) or `HANDSHAKE_TIMEOUT` (no connection in time).
 */
export function dial(address: ParsedAddress, options: DialOptions): Promise<Link> {
  return address.transport === 'tcp' ? dialTcp(address, options) : dialWs(address, options);
}

function dialTcp(address: ParsedAddress, options: DialOptions): Promise<Link> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: address.host, port: address.port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HearthError(ErrorCode.HANDSHAKE_TIMEOUT, `no TCP connection to ${address.host}:${address.port} within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new HearthError(ErrorCode.CLOSED, `cannot connect to ${address.host}:${address.port}: ${error.message}`, { cause: error }));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(new TcpLink(socket, options));
    });
  });
}

function dialWs(address: ParsedAddress, options: DialOptions): Promise<Link> {
  return new Promise((resolve, reject) => {
    const host = address.host.includes(':') ? `[${address.host}]` : address.host;
    const ws = new WebSocket(`ws://${host}:${address.port}${address.path}`, {
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: false,
      handshakeTimeout: options.timeoutMs,
    });
    const onError = (error: Error): void => {
      reject(new HearthError(ErrorCode.CLOSED, `cannot connect to ws://${host}:${address.port}: ${error.message}`, { cause: error }));
    };
    ws.once('error', onError);
    ws.once('open', () => {
      ws.off('error', onError);
      const raw = (ws as unknown as { _socket?: { remoteAddress?: string; remotePort?: number; setNoDelay?(on: boolean): void } })._socket;
      raw?.setNoDelay?.(true);
      resolve(new WsLink(ws, `${raw?.remoteAddress ?? address.host}:${raw?.remotePort ?? address.port}`, raw?.remoteAddress));
    });
  });
}
