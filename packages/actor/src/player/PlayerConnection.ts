import type { Clock } from '../time/Clock.ts';
import type { SessionHandle } from '../transport.ts';

/**
 * The connection under a player (none in grace), how long it has been silent, and the pushes
 * queued for the next connection while there is none.
 */
export class PlayerConnection {
  #ref: SessionHandle | undefined;
  #queue: Uint8Array[] | undefined;
  /** Inbound traffic marker (`bytesIn`) at the last look, and when (clock time) that traffic arrived: see `idleMs`. */
  #seenMark = -1;
  #seenAt = 0;

  constructor(ref: SessionHandle | undefined, queued: readonly Uint8Array[] = []) {
    this.#ref = ref;
    if (queued.length > 0) this.#queue = [...queued];
  }

  /** The attached connection, or undefined (in grace, or closed). */
  get ref(): SessionHandle | undefined {
    return this.#ref;
  }

  /** Pushes queued while no connection is attached, oldest first. */
  get queued(): readonly Uint8Array[] {
    return this.#queue ?? [];
  }

  /** Attaches a (resuming) connection; its silence is measured afresh. */
  attach(ref: SessionHandle): void {
    this.#ref = ref;
    this.#seenMark = -1;
  }

  /** Forgets the connection and returns it (for closing), or undefined if none was attached. */
  release(): SessionHandle | undefined {
    const ref = this.#ref;
    this.#ref = undefined;
    return ref;
  }

  /** Queues an encoded push for the next connection; false (nothing queued) once `limit` are queued. */
  enqueue(bytes: Uint8Array, limit: number): boolean {
    const queue = (this.#queue ??= []);
    if (queue.length >= limit) return false;
    queue.push(bytes);
    return true;
  }

  /** Sends the queued pushes on the attached connection, in order, and empties the queue. */
  flushQueue(): void {
    const queue = this.#queue;
    this.#queue = undefined;
    const ref = this.#ref;
    if (queue !== undefined && ref !== undefined) for (const bytes of queue) ref.sendEncoded(bytes, 1);
  }

  /** Drops the queue (the player closed). */
  clearQueue(): void {
    this.#queue = undefined;
  }

  /**
   * Time since the connection's last inbound traffic, in `clock`'s domain; undefined without a
   * live connection. The transport stamps `lastInboundAt` with `Date.now()`; its age is carried
   * over to the clock when new traffic is first seen, so with the system clock this is exactly
   * `Date.now() - lastInboundAt`, and with an injected clock silence grows only as that clock moves.
   */
  idleMs(clock: Clock): number | undefined {
    const ref = this.#ref;
    if (ref === undefined) return undefined;
    // Two fields read, nothing allocated (a SessionInfo per check was 13 fields to read one).
    const mark = ref.bytesIn;
    if (mark < 0) return undefined;
    const now = clock.now();
    if (mark !== this.#seenMark) {
      this.#seenMark = mark;
      this.#seenAt = now - Math.max(0, Date.now() - ref.lastInboundAt);
    }
    return now - this.#seenAt;
  }
}
