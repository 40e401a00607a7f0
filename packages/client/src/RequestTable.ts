import { ErrorCode, HearthError, type AnyDefinition } from '@hearth/protocol';
import type { Clock } from './clock.ts';
import { ClientErrorCode } from './errors.ts';

/** One request the client waits on. */
export interface PendingRequest {
  readonly rid: number;
  readonly definition: AnyDefinition;
  readonly payload: unknown;
  /** Re-sent after a resume instead of failing with `DISCONNECTED`. */
  readonly idempotent: boolean;
  /** Written to a connection (and not yet re-queued by a drop). */
  sent: boolean;
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: HearthError) => void;
  timer: unknown;
}

/**
 * The client's outstanding requests by `rid`, in the order they were made: replies settle them,
 * timeouts reject them with `TIMEOUT`, a drop fails the ones in flight or keeps the idempotent
 * ones to send again.
 */
export class RequestTable {
  readonly #pending = new Map<number, PendingRequest>();
  readonly #clock: Clock;
  #nextRid = 1;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Registers a request; it rejects with `TIMEOUT` after `timeoutMs` unless settled before. */
  add(
    definition: AnyDefinition,
    payload: unknown,
    idempotent: boolean,
    timeoutMs: number,
    resolve: (reply: unknown) => void,
    reject: (error: HearthError) => void,
  ): PendingRequest {
    const rid = this.#nextRid;
    this.#nextRid = rid >= 0xffff_ffff ? 1 : rid + 1;
    const entry: PendingRequest = { rid, definition, payload, idempotent, sent: false, resolve, reject, timer: undefined };
    entry.timer = this.#clock.setTimeout(() => {
      if (this.#pending.get(rid) !== entry) return;
      this.#pending.delete(rid);
      reject(new HearthError(ErrorCode.TIMEOUT, `${definition.name}: no reply within ${timeoutMs} ms`));
    }, timeoutMs);
    this.#pending.set(rid, entry);
    return entry;
  }

  /** Settles request `rid` with a reply; false when it is unknown (late, timed out). */
  reply(rid: number, payload: unknown): boolean {
    const entry = this.#take(rid);
    entry?.resolve(payload);
    return entry !== undefined;
  }

  /** Settles request `rid` with the server's error reply. */
  error(rid: number, code: string, text: string): boolean {
    const entry = this.#take(rid);
    entry?.reject(new HearthError(code, `${entry.definition.name}: ${text}`));
    return entry !== undefined;
  }

  /** Requests not written to the current connection, oldest first. */
  unsent(): PendingRequest[] {
    return [...this.#pending.values()].filter((e) => !e.sent);
  }

  /**
   * The connection dropped: requests in flight fail with `DISCONNECTED` (they may or may not have
   * been handled), except idempotent ones, which wait to be sent again.
   */
  dropped(code: string): void {
    for (const entry of [...this.#pending.values()]) {
      if (!entry.sent) continue;
      if (entry.idempotent) {
        entry.sent = false;
        continue;
      }
      this.#take(entry.rid);
      entry.reject(
        new HearthError(
          ClientErrorCode.DISCONNECTED,
          `${entry.definition.name}: the connection dropped (${code}) before the reply; it may or may not have been handled. Retry after "resumed", or mark the definition idempotent`,
        ),
      );
    }
  }

  /** Fails every request (the client closed for good). */
  failAll(code: string, text: string): void {
    for (const entry of [...this.#pending.values()]) {
      this.#take(entry.rid);
      entry.reject(new HearthError(code, `${entry.definition.name}: ${text}`));
    }
  }

  #take(rid: number): PendingRequest | undefined {
    const entry = this.#pending.get(rid);
    if (entry === undefined) return undefined;
    this.#pending.delete(rid);
    this.#clock.clearTimeout(entry.timer);
    return entry;
  }
}
