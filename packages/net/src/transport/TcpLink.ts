import type { Socket } from 'node:net';
import { ErrorCode, FrameReader, HearthError, writeFrameHeader, type ByteAllocator } from '@hearth/protocol';
import { readThroughHandle, type HandleReadOwner } from './socketHandle.ts';
import { SocketWriter } from './SocketWriter.ts';
import type { Link, LinkSink } from './Link.ts';

const LINK = Symbol('hearth.tcpLink');
/** A socket carrying its link, for the shared listeners. */
type LinkedSocket = Socket & { [LINK]: TcpLink };
let onSocketData: (this: LinkedSocket, chunk: Buffer) => void;
let onSocketError: (this: LinkedSocket, error: Error) => void;
let onSocketClose: (this: LinkedSocket) => void;
/** The sink of the chunk being read (saved and restored around each push: a handler may write to another link). */
let reading: LinkSink | undefined;
function onFrame(body: Uint8Array, assembled: boolean): void {
  reading!.body(body, assembled);
}

/** Bodies up to this size are framed by copying into one buffer (one write); larger ones use a corked writev. */
const COPY_FRAME_LIMIT = 16 * 1024;

/** Options of a {@link TcpLink}. */
export interface TcpLinkOptions {
  maxFrameBytes: number;
  allocator: ByteAllocator;
  /** Refuse a first frame announcing more than this (the server's hello limit); 0 or absent: none. */
  maxHelloBytes?: number;
}

/**
 * A TCP connection: u32 big-endian length-prefixed bodies read by a {@link FrameReader} whose
 * split-frame buffers come from the service's pool.
 */
export class TcpLink implements Link, HandleReadOwner {
  readonly transport = 'tcp';
  readonly remoteAddress: string;
  readonly remoteHost: string | undefined;
  readonly #socket: Socket;
  readonly #reader: FrameReader;
  #sink: LinkSink | undefined;
  #closed = false;
  #error: string | undefined;
  /** The largest first frame still to be checked (0: checked, or no limit); see {@link TcpLinkOptions.maxHelloBytes}. */
  #helloMax: number;
  /** The first frame's header as far as it has arrived. */
  #head = 0;
  #headHave = 0;
  /** Writes through the socket's handle when it is idle (see socketHandle.ts), else `socket.write`. */
  readonly #writer: SocketWriter;

  constructor(socket: Socket, options: TcpLinkOptions) {
    this.#socket = socket;
    this.#writer = new SocketWriter(socket);
    this.remoteHost = socket.remoteAddress;
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    this.#helloMax = options.maxHelloBytes ?? 0;
    this.#reader = new FrameReader({ maxFrameBytes: options.maxFrameBytes, allocator: options.allocator });
    // Batching is done above (one write per turn), so Nagle would only add latency.
    socket.setNoDelay(true);
  }

  get queuedBytes(): number {
    return this.#socket.writableLength + this.#writer.queued;
  }

  start(sink: LinkSink): void {
    this.#sink = sink;
    const socket = this.#socket as LinkedSocket;
    socket[LINK] = this;
    socket.on('data', onSocketData);
    // 'close' always follows 'error'; keep the reason for it.
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    // Reads while the socket flows go from its handle to #onData, without a Buffer and a 'data'
    // event each (socketHandle.ts); the listener above gets the rest.
    readThroughHandle(socket, this);
  }

  // The socket listeners are shared functions that find their link on the socket, not three
  // closures per connection (bench/memory.ts, heap per idle session).
  static {
    onSocketData = function (this: LinkedSocket, chunk: Buffer): void {
      this[LINK].#onData(chunk);
    };
    onSocketError = function (this: LinkedSocket, error: Error): void {
      const link = this[LINK];
      link.#error ??= error.message;
    };
    onSocketClose = function (this: LinkedSocket): void {
      this[LINK].#onClose();
    };
  }

  /** @internal a read taken from the socket's handle (see {@link HandleReadOwner}). */
  handleRead(chunk: Uint8Array): void {
    this.#onData(chunk);
  }

  #onData(chunk: Uint8Array): void {
    const sink = this.#sink!;
    sink.received(chunk.length);
    if (this.#helloMax !== 0 && !this.#helloFits(chunk, sink)) return;
    // The frame callback is one shared function, not a closure per chunk (one per inbound read).
    const outer = reading;
    reading = sink;
    try {
      this.#reader.push(chunk, onFrame);
    } catch (error) {
      // Only the reader throws here (the sink catches its own): a framing violation.
      const code = error instanceof HearthError ? error.code : ErrorCode.PROTOCOL_ERROR;
      sink.fail(code, (error as Error).message);
    } finally {
      reading = outer;
    }
  }

  /**
   * Reads the first frame's header and refuses the connection (`HANDSHAKE_FAILED`, reading stops)
   * when it announces more than `maxHelloBytes`, before the frame reader allocates its body: one
   * header must not make the server buffer a megabyte for a peer that has not said who it is.
   */
  #helloFits(chunk: Uint8Array, sink: LinkSink): boolean {
    for (let i = 0; this.#headHave < 4 && i < chunk.length; i++, this.#headHave++) this.#head = this.#head * 256 + chunk[i]!;
    if (this.#headHave < 4) return true;
    const max = this.#helloMax;
    this.#helloMax = 0;
    if (this.#head <= max) return true;
    this.#socket.pause();
    sink.fail(ErrorCode.HANDSHAKE_FAILED, `first frame of ${this.#head} B > maxHelloBytes ${max}: a hello is a few dozen bytes`);
    return false;
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader.dispose();
    this.#sink?.closed(undefined, this.#error ?? 'connection closed');
  }

  writeBody(body: Uint8Array): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    if (body.length <= COPY_FRAME_LIMIT) {
      const frame = Buffer.allocUnsafe(4 + body.length);
      writeFrameHeader(frame, 0, body.length);
      frame.set(body, 4);
      this.#writer.write(frame);
    } else {
      const header = Buffer.allocUnsafe(4);
      writeFrameHeader(header, 0, body.length);
      socket.cork();
      socket.write(header);
      socket.write(body);
      socket.uncork();
    }
  }

  writeFramed(frame: Uint8Array): void {
    const socket = this.#socket;
    if (!socket.destroyed) this.#writer.write(frame);
  }

  end(_code: string): void {
    this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}
