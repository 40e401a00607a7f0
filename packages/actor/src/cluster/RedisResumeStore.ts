import type { AppendResult, DiscardResult, ParkedPlayer, ResumedNotice, ResumeRecord, ResumeStore } from '../backplane/ResumeStore.ts';
import { backplaneUnavailable } from '../backplane/errors.ts';
import { BackplaneOp } from './BackplaneOp.ts';
import type { ClusterLink } from './ClusterLink.ts';
import { packValue, unpackValue } from './pack.ts';

/** How long a claimed resume record stays as a forwarding marker for late appends. */
const CLAIM_MARKER_MS = 10_000;

const toBuffer = (m: Uint8Array): Buffer => Buffer.from(m.buffer, m.byteOffset, m.byteLength);

/**
 * Resume records in Redis: `{prefix}{r:TOKEN}` (hash: user, node, session, msgpack snapshot) and
 * `{prefix}{r:TOKEN}:q` (list of queued pushes), both with TTL = grace and in one hash slot. `claim`
 * takes a record atomically once and tells the parking node (`RESUMED` on its node channel); after
 * a claim the hash stays 10 s as a marker, so late appends learn where the player went.
 * @internal part of `RedisBackplane` (its `resumes`)
 */
export class RedisResumeStore implements ResumeStore {
  readonly #link: ClusterLink;
  readonly #queueLimit: number;
  readonly #isLive: (nodeId: string) => Promise<boolean>;
  readonly #handlers = new Set<(notice: ResumedNotice) => void>();

  constructor(link: ClusterLink, queueLimit: number, isLive: (nodeId: string) => Promise<boolean>) {
    this.#link = link;
    this.#queueLimit = queueLimit;
    this.#isLive = isLive;
  }

  /**
   * Parks a disconnected player for `graceMs`: snapshot and queued pushes.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down (resume then works on this node only).
   */
  async park(token: string, player: ParkedPlayer, graceMs: number): Promise<void> {
    const [rec, q] = this.#keysOf(token);
    this.#link.ensureUp('park a resume record');
    try {
      await this.#link.scripts.hearthPark(rec, q, Math.max(1, Math.ceil(graceMs)),
        player.userId, this.#link.nodeId, player.sessionId, packValue(player.snapshot), ...player.queued.map(toBuffer));
    } catch (cause) {
      throw backplaneUnavailable(`park ${player.userId}`, cause);
    }
  }

  /**
   * Appends a push for a parked player (at most `resumeQueueLimit`). `claimed` means it was resumed
   * on `nodeId`: send it there.
   * @throws {HearthError} `BAD_REQUEST` for a malformed token (no Redis call is made).
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  async append(token: string, bytes: Uint8Array): Promise<AppendResult> {
    const [rec, q] = this.#keysOf(token);
    this.#link.ensureUp('queue a push for a parked player');
    let r: number | string;
    try {
      r = await this.#link.scripts.hearthAppend(rec, q, toBuffer(bytes), this.#queueLimit);
    } catch (cause) {
      throw backplaneUnavailable('queue a push', cause);
    }
    if (typeof r === 'string') return { ok: false, reason: 'claimed', nodeId: r };
    if (r === 0) return { ok: false, reason: 'missing' };
    if (r < 0) return { ok: false, reason: 'full' };
    return { ok: true, length: r };
  }

  /**
   * Takes a parked record once (atomic: of two nodes racing, one wins). Resolves undefined when the
   * token is unknown, expired, already used, or its node is no longer alive (a killed node's tokens
   * fail cleanly). The parking node is told (`onResumed`) so it stops its actor.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  async claim(token: string): Promise<ResumeRecord | undefined> {
    const [rec, q] = this.#keysOf(token);
    this.#link.ensureUp('resume');
    const k = this.#link.keys;
    let r: [Buffer, Buffer, Buffer, Buffer, Buffer[]] | null;
    try {
      r = await this.#link.scripts.hearthClaimBuffer(rec, q, this.#link.nodeId, CLAIM_MARKER_MS);
    } catch (cause) {
      throw backplaneUnavailable('resume', cause);
    }
    if (!r) return undefined;
    const [user, node, session, snap, queued] = r;
    const record: ResumeRecord = {
      userId: user.toString(),
      nodeId: node.toString(),
      sessionId: Number(session.toString()),
      snapshot: unpackValue(snap),
      queued,
    };
    if (record.nodeId === this.#link.nodeId) return record;
    let live: boolean;
    try {
      live = await this.#isLive(record.nodeId);
    } catch (cause) {
      throw backplaneUnavailable('resume', cause);
    }
    if (!live) return undefined; // its node died: the record may outlive it, but the player's node is gone
    this.#link.batcher.add(k.nodeChannel(record.nodeId), BackplaneOp.RESUMED, [token, record.userId, this.#link.nodeId]);
    return record;
  }

  /**
   * Removes an unclaimed record (its actor ended on this node). `claimed`: another node won.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down.
   */
  async discard(token: string): Promise<DiscardResult> {
    const [rec, q] = this.#keysOf(token);
    this.#link.ensureUp('discard a resume record');
    let r: number | string;
    try {
      r = await this.#link.scripts.hearthDiscard(rec, q);
    } catch (cause) {
      throw backplaneUnavailable('discard a resume record', cause);
    }
    if (typeof r === 'string') return { discarded: false, reason: 'claimed', nodeId: r };
    return r === 1 ? { discarded: true } : { discarded: false, reason: 'missing' };
  }

  /** Told when a player parked here was resumed on another node; returns the unsubscribe function. */
  onResumed(handler: (notice: ResumedNotice) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** A `RESUMED` message arrived on this node's channel. */
  notify(notice: ResumedNotice): void {
    for (const h of this.#handlers) h(notice);
  }

  /** The record and queue keys of a token; a malformed token rejects with `BAD_REQUEST` before any Redis call. */
  #keysOf(token: string): [string, string] {
    const k = this.#link.keys;
    return [k.resume(token), k.resumeQueue(token)];
  }

  /** Forgets every handler (the backplane closed). */
  clear(): void {
    this.#handlers.clear();
  }
}
