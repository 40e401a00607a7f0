import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

/** A plain TCP socket to `address` (tcp:// or ws://), connected. */
export async function rawSocket(address: string): Promise<Socket> {
  const url = new URL(address);
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

/** Resolves when `socket` is closed (by either side). */
export function closedOf(socket: Socket): Promise<void> {
  return socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

const UPGRADE_HEAD = (host: string): string =>
  `GET / HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** Sends only the first half of a WebSocket upgrade request (a slowloris) and leaves it there. */
export async function halfUpgrade(address: string): Promise<Socket> {
  const socket = await rawSocket(address);
  const head = UPGRADE_HEAD(new URL(address).host);
  socket.write(head.slice(0, head.length >> 1));
  // Read (and drop) what comes back, so the server's close is seen: a paused socket never reads its EOF.
  socket.resume();
  return socket;
}

/** A finished WebSocket upgrade over a raw socket: frames are written and parsed by hand. */
export interface RawWs {
  readonly socket: Socket;
  /** Server frames received so far: opcode and payload. */
  readonly frames: Array<{ opcode: number; payload: Buffer }>;
  /** Resolves with the close frame's code and reason (or undefined if the socket closed without one). */
  readonly closeFrame: Promise<{ code: number; reason: string } | undefined>;
}

/** Upgrades a raw socket to WebSocket and parses what the server sends. */
export async function rawWs(address: string): Promise<RawWs> {
  const socket = await rawSocket(address);
  socket.write(UPGRADE_HEAD(new URL(address).host));
  let buf = Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      if (!buf.subarray(0, 12).toString().includes('101')) reject(new Error(`no upgrade: ${buf.toString()}`));
      buf = buf.subarray(end + 4);
      resolve();
    };
    socket.on('data', onData);
  });
  const frames: RawWs['frames'] = [];
  let onClose!: (c: { code: number; reason: string } | undefined) => void;
  const closeFrame = new Promise<{ code: number; reason: string } | undefined>((r) => (onClose = r));
  const parse = (): void => {
    for (;;) {
      if (buf.length < 2) return;
      let len = buf[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        at = 10;
      }
      if (buf.length < at + len) return;
      const opcode = buf[0]! & 0x0f;
      const payload = buf.subarray(at, at + len);
      frames.push({ opcode, payload });
      if (opcode === 8) onClose({ code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.subarray(2).toString() });
      buf = buf.subarray(at + len);
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    parse();
  });
  socket.once('close', () => onClose(undefined));
  parse();
  return { socket, frames, closeFrame };
}

/** A masked client frame header (mask key 0, so the payload goes as is) for `length` payload bytes. */
export function clientFrameHeader(opcode: number, length: number, fin = true): Buffer {
  const first = (fin ? 0x80 : 0) | opcode;
  if (length < 126) return Buffer.from([first, 0x80 | length, 0, 0, 0, 0]);
  if (length < 65_536) {
    const h = Buffer.from([first, 0x80 | 126, 0, 0, 0, 0, 0, 0]);
    h.writeUInt16BE(length, 2);
    return h;
  }
  const h = Buffer.alloc(14);
  h[0] = first;
  h[1] = 0x80 | 127;
  h.writeBigUInt64BE(BigInt(length), 2);
  return h;
}

/** One masked client frame (mask key 0). */
export function clientFrame(opcode: number, payload: Uint8Array): Buffer {
  return Buffer.concat([clientFrameHeader(opcode, payload.length), payload]);
}
