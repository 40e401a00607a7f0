import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

/**
 * Writes to a plain TCP socket through its native handle, skipping the Writable machinery
 * (`Writable.write` → `writeOrBuffer` → `Socket._writeGeneric` → `writeGeneric`, a `WriteWrap`
 * per write): 3.7 % of the server's busy time in the game bench (packages/gamebench, N=1200,
 * hearth-tcp-plain, `--profile`), where every client gets one write per tick.
 *
 * This is the one file that reads Node internals (STYLE.md: one owner, a version pin, a contract
 * test in test/handleWrite.test.ts). It mirrors `writeGeneric`/`afterWriteDispatched`/
 * `onWriteComplete` of Node 20's lib/internal/stream_base_commons.js: `handle.writeBuffer(req,
 * data)` tries the write at once (`uv_try_write`) and queues the rest in libuv, which keeps writes
 * in order with the socket's own (they share libuv's write queue) and runs a later `end()`'s
 * shutdown after them. On any other Node major, or when a piece is missing, {@link handleWriter}
 * is undefined and the caller writes through `socket.write` as before.
 */

/** The Node majors whose stream_base_commons this file mirrors (checked on each by the contract test). */
const PINNED_MAJORS: readonly number[] = [20];

/** Told when a write that went asynchronous (the kernel buffer was full) is done. */
export interface HandleWriteOwner {
  /** `bytes` of an asynchronous write are off the process's hands (`status` 0) or failed (< 0, a libuv errno). */
  handleWriteDone(bytes: number, status: number): void;
}

interface WriteReq {
  handle: NativeHandle;
  oncomplete: (this: WriteReq, status: number) => void;
  async: boolean;
  bytes: number;
  /** Keeps the bytes alive while libuv holds them (Node's handleWriteReq does the same). */
  buffer: Uint8Array | null;
  callback: null;
  error?: string;
  owner: HandleWriteOwner | undefined;
}
interface NativeHandle {
  writeBuffer(req: WriteReq, data: Uint8Array): number;
}
interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
  kBytesWritten: number;
}

/** The socket handle's class that this path serves (a TCP socket; not TLS, not a pipe). */
const TCP_HANDLE = 'TCP';

/** Writes `data` to `socket`'s handle; see {@link handleWriter}. */
export type HandleWrite = (socket: Socket, data: Uint8Array, owner: HandleWriteOwner) => number;

/** The error a failed write ends its socket with, as Node makes it (`write EPIPE`, code, errno, syscall). */
export function writeError(errno: number): Error {
  const name = getSystemErrorName(errno);
  return Object.assign(new Error(`write ${name}`), { errno, code: name, syscall: 'write' });
}

function onComplete(this: WriteReq, status: number): void {
  const owner = this.owner!;
  this.owner = undefined;
  this.buffer = null;
  owner.handleWriteDone(this.bytes, status);
}

function load(): HandleWrite | undefined {
  const major = Number(process.versions.node.split('.')[0]);
  if (!PINNED_MAJORS.includes(major)) return undefined;
  let binding: StreamWrapBinding;
  try {
    binding = (process as unknown as { binding(name: string): StreamWrapBinding }).binding('stream_wrap');
  } catch {
    return undefined;
  }
  const { WriteWrap, streamBaseState, kLastWriteWasAsync, kBytesWritten } = binding;
  if (typeof WriteWrap !== 'function' || !(streamBaseState instanceof Int32Array) || typeof kLastWriteWasAsync !== 'number' || typeof kBytesWritten !== 'number') {
    return undefined;
  }
  // A request that completed at once was never wrapped natively (only a queued write is), so it
  // is reused for the next write: one WriteWrap per queued write rather than per write.
  let spare: WriteReq | undefined;
  return (socket, data, owner) => {
    const handle = (socket as unknown as { _handle: NativeHandle | null })._handle;
    // Anything the Writable holds (corked, queued behind a pending write, connecting, ended) goes
    // through it, so that bytes keep their order and end/destroy keep their meaning.
    if (handle === null || socket.writableLength !== 0 || socket.connecting || socket.writableEnded || socket.destroyed || handle.constructor.name !== TCP_HANDLE) return -1;
    let req = spare;
    if (req === undefined) {
      req = new WriteWrap();
      req.oncomplete = onComplete;
      req.async = false;
      req.bytes = 0;
      req.buffer = null;
      req.callback = null;
      req.owner = undefined;
    }
    req.handle = handle;
    const err = handle.writeBuffer(req, data);
    if (err !== 0) {
      spare = undefined; // it may have been wrapped before the failure
      // As Node's afterWriteDispatched: the socket ends with the errno as its error ('error', then 'close').
      socket.destroy(writeError(err));
      return 0;
    }
    if (streamBaseState[kLastWriteWasAsync] === 0) {
      spare = req;
      return 0;
    }
    // Queued by libuv: the request is now native's until onComplete.
    spare = undefined;
    req.async = true;
    req.bytes = streamBaseState[kBytesWritten]!;
    req.buffer = data;
    req.owner = owner;
    return req.bytes;
  };
}

/**
 * Writes `data` through the socket's native handle when nothing is pending in its Writable.
 * @returns -1 when this path does not apply (the caller must `socket.write(data)`); 0 when the
 * bytes went to the kernel (or the write failed and the socket is being destroyed); otherwise the
 * bytes queued in libuv, which `owner.handleWriteDone` reports when done. `data` must not be
 * changed until then.
 * Undefined on a Node major not in the pin, or when its internals are not as expected.
 */
export const handleWriter: HandleWrite | undefined = load();
