import { ErrorCode } from '@hearth/protocol';
import type { AddressRate } from '../Limits.ts';
import { addressKey } from './addressKey.ts';
import { TokenBucket } from './TokenBucket.ts';

/** Why a connection was refused before its handshake. */
export interface Refusal {
  readonly code: string;
  readonly text: string;
}

interface Entry {
  connections: number;
  bucket: TokenBucket | undefined;
}

/** Entries are swept (idle ones dropped) when the table grows past this, then past twice its size. */
const SWEEP_FLOOR = 1024;

/**
 * Per-address counters of one acceptor: live connections and a token bucket of new connections per
 * address ({@link addressKey}). An address is kept only while it has connections or its bucket is
 * refilling, so the table is bounded by the live connections plus the addresses seen in the last
 * `burst / perSecond` seconds.
 */
export class AddressTable {
  readonly #max: number | false;
  readonly #rate: AddressRate | false;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  #sweepAt = SWEEP_FLOOR;

  /** @param now monotonic clock in ms (tests inject one). @defaultValue performance.now */
  constructor(maxPerAddress: number | false, rate: AddressRate | false, now: () => number = () => performance.now()) {
    this.#max = maxPerAddress;
    this.#rate = rate;
    this.#now = now;
  }

  /** Addresses tracked now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Live connections counted for `address`. */
  connectionsOf(address: string | undefined): number {
    return this.#entries.get(addressKey(address))?.connections ?? 0;
  }

  /**
   * Says whether a new connection from `address` must be refused (`TOO_MANY_CONNECTIONS` or
   * `RATE_LIMITED`); one that is not is counted until {@link leave}. A refused one is not counted
   * (it lives only until its refusal is sent), so a client retrying in a loop is not locked out
   * by its own refusals.
   */
  enter(address: string | undefined): Refusal | undefined {
    if (this.#max === false && this.#rate === false) return undefined;
    const key = addressKey(address);
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      if (this.#entries.size >= this.#sweepAt) this.#sweep();
      const rate = this.#rate;
      entry = { connections: 0, bucket: rate === false ? undefined : new TokenBucket(rate.perSecond, rate.burst, this.#now) };
      this.#entries.set(key, entry);
    }
    if (this.#max !== false && entry.connections >= this.#max) {
      return { code: ErrorCode.TOO_MANY_CONNECTIONS, text: `more than ${this.#max} connections from ${key}; raise "maxConnectionsPerAddress"` };
    }
    if (entry.bucket !== undefined && !entry.bucket.take()) {
      if (entry.connections === 0 && this.#idle(entry)) this.#entries.delete(key);
      const rate = this.#rate as AddressRate;
      return { code: ErrorCode.RATE_LIMITED, text: `more than ${rate.perSecond} new connections/s (burst ${rate.burst}) from ${key}; retry later` };
    }
    entry.connections++;
    return undefined;
  }

  /** A connection admitted (not refused) by {@link enter} is gone. */
  leave(address: string | undefined): void {
    if (this.#max === false && this.#rate === false) return;
    const key = addressKey(address);
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    entry.connections--;
    if (entry.connections <= 0 && this.#idle(entry)) this.#entries.delete(key);
  }

  #idle(entry: Entry): boolean {
    return entry.connections <= 0 && (entry.bucket === undefined || entry.bucket.tokens >= (this.#rate as AddressRate).burst);
  }

  #sweep(): void {
    for (const [key, entry] of this.#entries) if (this.#idle(entry)) this.#entries.delete(key);
    this.#sweepAt = Math.max(SWEEP_FLOOR, this.#entries.size * 2);
  }
}
