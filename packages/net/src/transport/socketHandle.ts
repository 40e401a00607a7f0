import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

/**
 * Reads and writes a plain TCP socket through its native handle, skipping the stream machinery
 * around each read and write when the socket's Readable/Writable hold nothing:
 * - writes: `Writable.write` → `writeOrBuffer` → `Socket._writeGeneric` → `writeGeneric` (a
 *   `WriteWrap` per write) was 2.7 % of the server's busy time in the game bench
 *   (packages/gamebench, N=1200, hearth-tcp-plain, `--profile`), where every client gets one
 *   write per tick;
 * - reads: `onStreamRead` → a `FastBuffer` → `Readable.push` → `addChunk` → `emit('data')`, about
 *   1.5 % there (one read per move).
 *
 * This is the one file that reads Node internals (STYLE.md: one owner, a version pin, a contract
 * test in test/socketHandle.test.ts). It mirrors `writeGeneric`/`afterWriteDispatched`/
 * `onWriteComplete`/`onStreamRead` of Node 20's lib/internal/stream_base_commons.js:
 * `handle.writeBuffer(req, data)` tries the write at once (`uv_try_write`) and queues the rest in
 * libuv, which keeps writes in order with the socket's own (they share libuv's write queue) and
 * runs a later `end()`'s shutdown after them; `handle.onread` is called with each read's bytes,
 * and anything but bytes for a flowing, empty Readable (EOF, errors, a paused socket) is passed to
 * Node's own `onStreamRead`. On any other Node major, or when a piece is missing, {@link handleWriter}
 * and {@link readThroughHandle} do nothing and the socket works through its streams as before.
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
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
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

/** Node's stream_wrap binding on a pinned major with every piece this file uses, else undefined. */
function loadBinding(): StreamWrapBinding | undefined {
  const major = Number(process.versions.node.split('.')[0]);
  if (!PINNED_MAJORS.includes(major)) return undefined;
  let binding: StreamWrapBinding;
  try {
    binding = (process as unknown as { binding(name: string): StreamWrapBinding }).binding('stream_wrap');
  } catch {
    return undefined;
  }
  const { WriteWrap, streamBaseState, kLastWriteWasAsync, kBytesWritten, kReadBytesOrError, kArrayBufferOffset } = binding;
  const indices = [kLastWriteWasAsync, kBytesWritten, kReadBytesOrError, kArrayBufferOffset];
  if (typeof WriteWrap !== 'function' || !(streamBaseState instanceof Int32Array) || !indices.every((i) => typeof i === 'number')) return undefined;
  return binding;
}
const binding = loadBinding();

function loadWriter({ WriteWrap, streamBaseState, kLastWriteWasAsync, kBytesWritten }: StreamWrapBinding): HandleWrite {
  // A request that completed at once was never wrapped natively (only a queued write is), so it
  // is reused for the next write: one WriteWrap per queued write rather than per write.
  let spare: WriteReq | undefined;
  return (socket, data, owner) => {
    const handle = (socket as unknown as { _handle: NativeHandle | null })._handle;
    // Anything the Writable holds (corked, queued behind a pending write, connecting, ended) goes
    // through it, so that bytes keep their order and end/destroy keep their meaning.
    if (handle === null || socket.writableLength !== 0 || socket.writableCorked !== 0 || socket.connecting || socket.writableEnded || socket.destroyed || handle.constructor.name !== TCP_HANDLE) return -1;
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
export const handleWriter: HandleWrite | undefined = binding === undefined ? undefined : loadWriter(binding);

/** Takes a socket's inbound bytes from its handle (see {@link readThroughHandle}). */
export interface HandleReadOwner {
  /** One read's bytes: a view of a fresh buffer of that read (nothing reuses it). */
  handleRead(chunk: Uint8Array): void;
}

interface ReadHandle {
  onread: (this: ReadHandle, arrayBuffer: ArrayBuffer | undefined) => unknown;
  [READ_OWNER]?: HandleReadOwner;
  [READ_SOCKET]?: Socket;
}
const READ_OWNER = Symbol('hearth.readOwner');
const READ_SOCKET = Symbol('hearth.readSocket');
/** Node's `onStreamRead`, taken from the first handle read through here (every TCP handle has it). */
let nodeOnRead: ReadHandle['onread'] | undefined;

function onRead(this: ReadHandle, arrayBuffer: ArrayBuffer | undefined): unknown {
  const state = binding!.streamBaseState;
  const nread = state[binding!.kReadBytesOrError]!;
  if (nread > 0 && arrayBuffer !== undefined) {
    const socket = this[READ_SOCKET]!;
    // Node would push the bytes and emit them at once as 'data' (a flowing Readable that holds
    // nothing); a socket with an idle timeout would also have its timer touched: those stay with Node.
    if (socket.readableFlowing === true && socket.readableLength === 0 && !socket.destroyed && (socket.timeout ?? 0) === 0) {
      this[READ_OWNER]!.handleRead(new Uint8Array(arrayBuffer, state[binding!.kArrayBufferOffset], nread));
      return undefined;
    }
  }
  return nodeOnRead!.call(this, arrayBuffer);
}

/**
 * From now on, `socket`'s reads go to `owner.handleRead` directly while its Readable is flowing
 * and empty; everything else (EOF, errors, a paused socket's bytes) goes through Node's stream as
 * before, in order. The socket's 'data' listeners still get what goes through the stream, so
 * `owner` should be its one 'data' listener too.
 * @returns false when this path does not apply (another Node major, not a plain TCP socket):
 * then the socket's stream carries everything.
 */
export function readThroughHandle(socket: Socket, owner: HandleReadOwner): boolean {
  if (binding === undefined) return false;
  const handle = (socket as unknown as { _handle: ReadHandle | null })._handle;
  if (handle === null || handle.constructor.name !== TCP_HANDLE || typeof handle.onread !== 'function') return false;
  nodeOnRead ??= handle.onread;
  if (handle.onread !== nodeOnRead) return false; // someone else's reader (Node's onread option): leave it
  handle[READ_OWNER] = owner;
  handle[READ_SOCKET] = socket;
  handle.onread = onRead;
  return true;
}
