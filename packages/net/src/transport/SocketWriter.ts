import type { Socket } from 'node:net';
import { handleWriter, writeError, type HandleWriteOwner } from './socketHandle.ts';

/**
 * A link's writes to its socket: through the socket's native handle while its Writable holds
 * nothing ({@link handleWriter}), else `socket.write`. It counts the bytes libuv still holds for the
 * link's `queuedBytes`; a write that fails later ends the socket, as Node's own `onWriteComplete` does.
 */
export class SocketWriter implements HandleWriteOwner {
  readonly #socket: Socket;
  /** Bytes of writes through the handle that libuv still holds. */
  queued = 0;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  write(data: Uint8Array): void {
    const queued = handleWriter === undefined ? -1 : handleWriter(this.#socket, data, this);
    if (queued < 0) this.#socket.write(data);
    else this.queued += queued;
  }

  /** @internal a write through the handle that libuv queued is done (see {@link HandleWriteOwner}). */
  handleWriteDone(bytes: number, status: number): void {
    this.queued -= bytes;
    const socket = this.#socket;
    if (status < 0 && !socket.destroyed) socket.destroy(writeError(status));
  }
}
