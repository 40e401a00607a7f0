import type { Logger } from 'pino';
import type { Envelope } from '../backplane/Backplane.ts';
import { isBackplaneDown } from '../backplane/errors.ts';
import type { ResumeStore } from '../backplane/ResumeStore.ts';
import type { PlayerActor } from '../player/PlayerActor.ts';

/**
 * A parked record outlives the grace period by this much: the parking node settles it (discard, or
 * learns of a claim) when its grace timer fires, so the record never vanishes under a claim in
 * flight. A node that died leaves it to expire (and its claims fail: the node is not live).
 */
const PARK_MARGIN_MS = 2_000;

/** One parked player: its token and whether the record made it into the store. */
interface Parked {
  readonly token: string;
  /** Resolves true once the record is in the store, false if parking failed (Redis down). */
  parked: Promise<boolean>;
  /** False once the store no longer holds our record for this player (parking failed, or we claimed it). */
  shared: boolean;
}

/**
 * The parking node's side of cross-node resume, for a holder whose backplane has `resumes`:
 * parks a player when its grace starts (snapshot + queued pushes), mirrors the pushes queued
 * meanwhile, claims the record before a local resume (so a local and a remote resume cannot both
 * win), and settles the record when the actor ends here. Store failures never stop local play:
 * the player then resumes on this node only. @internal used by `Holder`
 */
export class ResumeParking {
  readonly #store: ResumeStore;
  readonly #nodeId: string;
  readonly #publish: (nodeId: string, envelope: Envelope) => void;
  readonly #log: Logger;
  readonly #graceMs: number;
  readonly #onMovedAway: (player: PlayerActor, nodeId: string) => void;
  readonly #parked = new Map<PlayerActor, Parked>();

  constructor(options: {
    store: ResumeStore;
    nodeId: string;
    publish: (nodeId: string, envelope: Envelope) => void;
    logger: Logger;
    graceMs: number;
    /** Called each time a parked player is found to have resumed on another node (before its actor stops). */
    onMovedAway?: (player: PlayerActor, nodeId: string) => void;
  }) {
    this.#onMovedAway = options.onMovedAway ?? (() => {});
    this.#store = options.store;
    this.#nodeId = options.nodeId;
    this.#publish = options.publish;
    this.#log = options.logger;
    this.#graceMs = options.graceMs;
  }

  /** Players parked now (for tests and metrics). */
  get size(): number {
    return this.#parked.size;
  }

  /** Grace began: writes the player's record (fire-and-forget; a failure keeps the resume local). */
  park(player: PlayerActor): void {
    const token = player.token;
    if (token === undefined || player.userId === '' || this.#graceMs <= 0) return;
    const entry: Parked = { token, parked: Promise.resolve(false), shared: true };
    let write: Promise<void>;
    try {
      const queued = player.queuedBytes;
      write = this.#store.park(token, { userId: player.userId, sessionId: player.sessionId, snapshot: player.portable(), queued }, this.#graceMs + PARK_MARGIN_MS);
    } catch (err) {
      write = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    entry.parked = write.then(
      () => true,
      (err: unknown) => {
        entry.shared = false;
        this.#warn(err, player, 'parking the resume record failed; this player can resume on this node only');
        return false;
      },
    );
    this.#parked.set(player, entry);
  }

  /** A push was queued for a parked player: append it to the record, or follow the player if it resumed elsewhere. */
  queued(player: PlayerActor, bytes: Uint8Array): void {
    const entry = this.#parked.get(player);
    if (entry === undefined || !entry.shared) return;
    // Chained on the park: appends are issued in queue order, after the record exists.
    void entry.parked
      .then((ok) => (ok && entry.shared ? this.#store.append(entry.token, bytes) : undefined))
      .then(
        (r) => {
          if (r?.ok === false && r.reason === 'claimed' && r.nodeId !== this.#nodeId) {
            this.#publish(r.nodeId, { kind: 'push', userId: player.userId, bytes, direct: true });
          } else if (r?.ok === false && r.reason === 'full') {
            this.#log.warn({ userId: player.userId }, 'parked record queue full; later pushes reach this node only');
          }
        },
        (err: unknown) => this.#warn(err, player, 'mirroring a queued push to the parked record failed'),
      );
  }

  /**
   * A local resume of `player`: claims its record first, so a resume on another node cannot also win.
   * Resolves false when another node got it (or it is gone): refuse the resume. While Redis is down
   * the resume goes on locally (local play continues).
   */
  async claimLocal(player: PlayerActor): Promise<boolean> {
    const entry = this.#parked.get(player);
    if (entry === undefined || !entry.shared) return true;
    if (!(await entry.parked) || !entry.shared) return true;
    try {
      const record = await this.#store.claim(entry.token);
      entry.shared = false;
      return record !== undefined;
    } catch (err) {
      if (!isBackplaneDown(err)) throw err;
      this.#warn(err, player, 'resume record not claimed (backplane down); resuming on this node');
      return true;
    }
  }

  /** Whether `player` has a record that a local resume must claim first. */
  mustClaim(player: PlayerActor): boolean {
    return this.#parked.get(player)?.shared === true;
  }

  /** The player's resume finished here (attached): nothing is parked for it any more. */
  resumed(player: PlayerActor): void {
    this.#parked.delete(player);
  }

  /**
   * The grace timer fired. False when nothing is parked (end now). Otherwise discards the record
   * first and then ends the actor, or stops it quietly if a claim on another node got there first.
   */
  expiring(player: PlayerActor): boolean {
    const entry = this.#parked.get(player);
    if (entry === undefined) return false;
    this.#parked.delete(player);
    if (!entry.shared) return false;
    entry.parked
      .then((ok) => (ok && entry.shared ? this.#store.discard(entry.token) : undefined))
      .then(
        (r) => {
          if (r?.discarded === false && r.reason === 'claimed' && r.nodeId !== this.#nodeId) {
            this.#onMovedAway(player, r.nodeId);
            player.movedAway(r.nodeId);
          } else {
            player.expireGrace();
          }
        },
        (err: unknown) => {
          this.#warn(err, player, 'discarding the resume record failed; it expires with the grace period');
          player.expireGrace();
        },
      );
    return true;
  }

  /** The player resumed on `nodeId` (the store told us): stop the actor quietly. */
  movedAway(player: PlayerActor, nodeId: string): void {
    if (!this.#parked.delete(player)) return;
    this.#onMovedAway(player, nodeId);
    player.movedAway(nodeId);
  }

  /** The actor ended here while parked (kicked, closed, shutdown): its record must not be claimed any more. */
  forget(player: PlayerActor): void {
    const entry = this.#parked.get(player);
    if (entry === undefined) return;
    this.#parked.delete(player);
    if (!entry.shared) return;
    void entry.parked
      .then((ok) => (ok ? this.#store.discard(entry.token) : undefined))
      .catch((err: unknown) => this.#warn(err, player, 'discarding the resume record failed; it expires with the grace period'));
  }

  #warn(err: unknown, player: PlayerActor, text: string): void {
    this.#log.warn({ err, userId: player.userId }, text);
  }
}
