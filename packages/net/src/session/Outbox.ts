import { type BatchWriter, ErrorCode, HearthError } from '@hearth/protocol';
import type { SessionChannel } from '../protocol/ProtocolFactory.ts';
import type { Session } from './Session.ts';
import type { SessionHost } from './SessionHost.ts';

/** A batch past this many bytes is flushed at once instead of at the end of the turn (keeps frames bounded). */
export const EAGER_FLUSH_BYTES = 64 * 1024;

/**
 * A session's outgoing batch (internal): messages go into a {@link BatchWriter} borrowed from the
 * service, and `flush` writes the batch with one socket write (one seal in secure mode), counts it
 * and gives the writer back. The session checks its state before queueing; the outbox does not.
 */
export class Outbox {
  readonly #session: Session;
  readonly #host: SessionHost;
  // Borrowed from the service while messages are queued and given back after the flush: an idle
  // session holds no writer (its encoder and buffers were 640 B of heap + 5 KB of buffers, bench/memory.ts).
  #writer: BatchWriter | undefined;

  constructor(session: Session, host: SessionHost) {
    this.#session = session;
    this.#host = host;
  }

  /** Bytes in the unflushed batch. */
  get pendingBytes(): number {
    return this.#writer?.byteLength ?? 0;
  }

  /** The batch writer, borrowed on the first message queued since the last flush. */
  get writer(): BatchWriter {
    return (this.#writer ??= this.#host.takeWriter());
  }

  send(type: number, payload: unknown): boolean {
    const writer = this.writer;
    try {
      writer.push(type, payload);
    } catch (error) {
      return this.unencodable(type, error);
    }
    return this.queued();
  }

  sendEncoded(bytes: Uint8Array, count: number): boolean {
    this.writer.appendEncoded(bytes, count);
    this.#session.messagesOut += count - 1;
    this.#host.stats.messagesOut += count - 1;
    return this.queued();
  }

  reply(rid: number, payload: unknown): boolean {
    const writer = this.writer;
    try {
      writer.reply(rid, payload);
    } catch (error) {
      return this.unencodable(-1, error);
    }
    return this.queued();
  }

  replyError(rid: number, code: string, text: string): boolean {
    this.writer.error(rid, code, text);
    return this.queued();
  }

  ping(t: number): boolean {
    this.writer.ping(t);
    return this.queued();
  }

  pong(t: number): boolean {
    this.writer.pong(t);
    return this.queued();
  }

  /** Queues `[6, code, text]` last; `dropBacklog` first drops what is queued (a slow consumer would wait behind it). */
  queueClose(code: string, text: string, dropBacklog: boolean): void {
    if (dropBacklog) this.#writer?.clear();
    this.writer.close(code, text);
  }

  /**
   * A payload msgpack cannot encode (BigInt out of range, ...): the writer dropped that message
   * whole (the batch stays well formed); report the error.
   */
  unencodable(type: number, error: unknown): boolean {
    this.#host.error(this.#session, new HearthError(ErrorCode.BAD_REQUEST, `payload of message type ${type} cannot be encoded; nothing was sent: ${(error as Error).message}`, { cause: error }));
    return false;
  }

  /** Counts a queued message and flushes now (a large batch) or schedules the end-of-turn flush. */
  queued(): boolean {
    const session = this.#session;
    session.messagesOut++;
    this.#host.stats.messagesOut++;
    if (this.pendingBytes >= EAGER_FLUSH_BYTES) {
      session.flush();
      if (session.link.queuedBytes > session.limits.maxQueuedBytes) return false;
    } else if (!session.dirty) {
      this.#host.scheduleFlush(session);
    }
    return session.isOpen;
  }

  /**
   * Writes the batch (none, or a closed session's: dropped).
   * @returns the socket's queued bytes after the write, or -1 when nothing was written.
   */
  flush(channel: SessionChannel | undefined, closed: boolean): number {
    const writer = this.#writer;
    if (writer === undefined) return -1;
    if (writer.count === 0 || closed) {
      this.drop();
      return -1;
    }
    const session = this.#session;
    const link = session.link;
    let bytes: number;
    let queued: number;
    if (!channel!.secure) {
      const frame = writer.takeFramed();
      bytes = frame.length;
      this.#writer = undefined;
      link.writeFramed(frame);
      // The socket keeps a view of the writer's buffer until the kernel takes it: leave that writer
      // to the GC rather than overwrite bytes still queued (only when the peer reads slowly).
      queued = link.queuedBytes;
      if (queued === 0) this.#host.giveWriter(writer);
    } else {
      const sealed = channel!.seal(writer.take());
      bytes = sealed.length + 4;
      this.#writer = undefined;
      link.writeBody(sealed);
      this.#host.giveWriter(writer);
      queued = link.queuedBytes;
    }
    session.bytesOut += bytes;
    const stats = this.#host.stats;
    stats.bytesOut += bytes;
    stats.writes++;
    if (queued > stats.queueHighWaterBytes) stats.queueHighWaterBytes = queued;
    return queued;
  }

  /** Clears the writer and gives it back (nothing of it is queued on the socket). */
  drop(): void {
    const writer = this.#writer;
    if (writer === undefined) return;
    this.#writer = undefined;
    writer.clear();
    this.#host.giveWriter(writer);
  }
}
