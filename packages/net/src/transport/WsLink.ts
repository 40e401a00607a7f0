import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { ErrorCode } from '@hearth/protocol';
import { SocketWriter } from './SocketWriter.ts';
import type { Link, LinkSink } from './Link.ts';

/** WebSocket close code carrying a Hearth code in its reason (4000–4999 is the application range). */
export const WS_CLOSE_HEARTH = 4000;
/** WebSocket close code for "message too big" (RFC 6455 §7.4.1), sent by `ws` when maxPayload is passed. */
const WS_CLOSE_TOO_BIG = 1009;
/** The largest client frame header (2 + 8 length + 4 mask bytes, RFC 6455 §5.2). */
const WS_MAX_FRAME_HEADER = 14;
/** First header byte of an unfragmented binary message: FIN + opcode 2 (RFC 6455 §5.2). */
const FIN_BINARY = 0x82;
/** Bodies up to this size are framed by copying into one buffer (one write); larger ones go through `ws`. */
const COPY_FRAME_LIMIT = 16 * 1024;

/** The server side's hello budget: raw bytes that may arrive before the first message. */
export interface HelloBudget {
  /** The upgraded socket (its bytes are counted until the first message arrives). */
  readonly socket: Socket;
  /** The acceptor's `maxHelloBytes`. */
  readonly maxHelloBytes: number;
}

/**
 * A WebSocket connection: one binary message per body. A text message is a `PROTOCOL_ERROR`; a
 * message over `maxFrameBytes` is refused by `ws` itself (close 1009, read as `FRAME_TOO_LARGE`).
 */
export class WsLink implements Link {
  readonly transport = 'ws';
  readonly remoteAddress: string;
  readonly remoteHost: string | undefined;
  readonly #ws: WebSocket;
  readonly #hello: HelloBudget | undefined;
  /**
   * The server side's upgraded socket, written directly (see {@link WsLink.writeFramed}); undefined
   * on the client side (its frames are masked, so they go through `ws`).
   */
  readonly #direct: Socket | undefined;
  #closed = false;
  #error: { code: string; text: string } | undefined;
  /** The direct writes to {@link WsLink.#direct} (through its handle when it is idle: socketHandle.ts). */
  readonly #writer: SocketWriter | undefined;

  /**
   * @param direct the server side's upgraded socket, to write unmasked binary frames on it
   *   directly. Only for a WebSocket with no extension negotiated (`perMessageDeflate: false`) that
   *   is never sent a Blob: then `ws` writes every frame of its own (close, ping, pong) to the socket
   *   synchronously, so frames written directly keep their order with them.
   */
  constructor(ws: WebSocket, remoteAddress: string, remoteHost: string | undefined, hello?: HelloBudget, direct?: Socket) {
    this.#ws = ws;
    this.remoteAddress = remoteAddress;
    this.remoteHost = remoteHost;
    this.#hello = hello;
    this.#direct = direct;
    this.#writer = direct === undefined ? undefined : new SocketWriter(direct);
  }

  get queuedBytes(): number {
    return this.#ws.bufferedAmount + (this.#writer?.queued ?? 0);
  }

  start(sink: LinkSink): void {
    const ws = this.#ws;
    const hello = this.#hello;
    /** Stops the hello budget: called on the first message (or when it is spent). */
    let helloDone: (() => void) | undefined;
    if (hello !== undefined) {
      // `ws` buffers a whole message (up to maxPayload) before it emits it: count the raw bytes
      // until the first message instead. This listener runs after ws's own (added at upgrade), so a
      // hello that completes in this chunk has been emitted (and counting stopped) before it.
      const budget = hello.maxHelloBytes + WS_MAX_FRAME_HEADER;
      let seen = 0;
      let done = false;
      const count = (chunk: Buffer): void => {
        if (done) return;
        seen += chunk.length;
        if (seen <= budget) return;
        helloDone!();
        hello.socket.pause();
        sink.fail(ErrorCode.HANDSHAKE_FAILED, `${seen} B before the first message > maxHelloBytes ${hello.maxHelloBytes}: a hello is a few dozen bytes`);
      };
      helloDone = () => {
        done = true;
        hello.socket.off('data', count);
        helloDone = undefined;
      };
      hello.socket.on('data', count);
    }
    // Control frames are messages too for the rate limit (a ping flood costs a pong each).
    const control = (): void => sink.control();
    ws.on('ping', control);
    ws.on('pong', control);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (helloDone !== undefined) {
        helloDone();
        if (data.length > hello!.maxHelloBytes) {
          hello!.socket.pause();
          sink.fail(ErrorCode.HANDSHAKE_FAILED, `first message of ${data.length} B > maxHelloBytes ${hello!.maxHelloBytes}: a hello is a few dozen bytes`);
          return;
        }
      }
      sink.received(data.length);
      if (!isBinary) {
        sink.fail(ErrorCode.PROTOCOL_ERROR, 'text WebSocket message: every body is one binary message');
        return;
      }
      sink.body(data, false);
    });
    ws.on('error', (error: Error & { code?: string }) => {
      this.#error ??=
        error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
          ? { code: ErrorCode.FRAME_TOO_LARGE, text: error.message }
          : { code: ErrorCode.PROTOCOL_ERROR, text: error.message };
    });
    ws.on('close', (code: number, reason: Buffer) => {
      if (this.#closed) return;
      this.#closed = true;
      if (this.#error !== undefined) sink.closed(this.#error.code, this.#error.text);
      else if (code === WS_CLOSE_HEARTH && reason.length > 0) sink.closed(reason.toString(), 'closed by peer');
      else if (code === WS_CLOSE_TOO_BIG) sink.closed(ErrorCode.FRAME_TOO_LARGE, 'message too big (1009)');
      else sink.closed(undefined, `WebSocket closed (${code})`);
    });
  }

  writeBody(body: Uint8Array): void {
    if (this.#ws.readyState !== 1) return;
    const n = body.length;
    const socket = this.#direct;
    if (socket === undefined || n > COPY_FRAME_LIMIT) {
      this.#ws.send(body);
      return;
    }
    if (socket.destroyed) return; // ws emits its close next
    // One buffer, one write (`ws` would cork and write header and body: a writev).
    const head = n < 126 ? 2 : 4;
    const frame = Buffer.allocUnsafe(head + n);
    writeHeader(frame, head, n);
    frame.set(body, head);
    this.#writer!.write(frame);
  }

  /**
   * Sends a body that has 4 bytes reserved before it. On the server side the WebSocket header (2
   * bytes up to 125 B, 4 up to 64 KiB) is written into them and the frame goes out in one socket
   * write, where `ws` would cork and write a new header and the body (a writev per message).
   */
  writeFramed(frame: Uint8Array): void {
    if (this.#ws.readyState !== 1) return;
    const n = frame.length - 4;
    const socket = this.#direct;
    if (socket === undefined || n > 0xffff) {
      this.#ws.send(frame.subarray(4));
      return;
    }
    if (socket.destroyed) return;
    const head = n < 126 ? 2 : 4;
    const at = 4 - head;
    const out = frame.subarray(at);
    writeHeader(out, head, n);
    this.#writer!.write(out);
  }

  end(code: string): void {
    // The reason is at most 123 bytes; codes are short ASCII.
    if (this.#ws.readyState <= 1) this.#ws.close(WS_CLOSE_HEARTH, code.slice(0, 120));
  }

  destroy(): void {
    this.#ws.terminate();
  }
}

/** An unmasked server frame header of `head` bytes (2: length < 126, 4: length < 64 KiB) for a final binary frame. */
function writeHeader(out: Uint8Array, head: number, n: number): void {
  out[0] = FIN_BINARY;
  if (head === 2) {
    out[1] = n;
  } else {
    out[1] = 126;
    out[2] = n >>> 8;
    out[3] = n & 0xff;
  }
}
