import { ErrorCode } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { Backplane } from '../backplane/Backplane.ts';
import { isBackplaneDown } from '../backplane/errors.ts';
import type { ResumeRecord } from '../backplane/ResumeStore.ts';
import type { PlayerActor } from '../player/PlayerActor.ts';
import type { ResumeOutcome } from '../player/PlayerHost.ts';
import { asPortablePlayer, type RestoredPlayer } from '../player/PortablePlayer.ts';
import type { ResolvedTimeouts } from '../PlayerTimeouts.ts';
import { EXPIRED_TOKEN, MALFORMED_TOKEN, UNKNOWN_TOKEN } from '../resume/refusals.ts';
import { ResumeParking } from '../resume/ResumeParking.ts';
import type { Clock } from '../time/Clock.ts';
import type { SessionHandle } from '../transport.ts';
import { isResumeToken } from '../wireIds.ts';
import type { ClusterBridge } from './ClusterBridge.ts';
import type { HolderStats } from './HolderStats.ts';
import type { PlayerRegistry } from './PlayerRegistry.ts';


/** What the resume coordinator works with (the holder's parts). */
export interface ResumeContext {
  readonly registry: PlayerRegistry;
  readonly bridge: ClusterBridge;
  readonly backplane: Backplane;
  readonly stats: HolderStats;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly timeouts: ResolvedTimeouts;
  /** Creates the actor of a player parked by another node (in grace, not registered yet). */
  restore(restored: RestoredPlayer): PlayerActor;
  /** True once the holder is closing (no player is brought back then). */
  closing(): boolean;
  /** What else follows a player across nodes (its room seats): see {@link PlayerMoves}. */
  readonly moves?: PlayerMoves | undefined;
  rejectedWireId(what: string, value: unknown): void;
}

/** What follows a player that resumes on another node (the cluster's rooms). @internal */
export interface PlayerMoves {
  /** The old node: `player` resumed on node `to` (called before its actor stops quietly). */
  movedAway(player: PlayerActor, to: string): void;
  /** The new node: `player` was restored from node `prev` and registered; its connection is attached once this settles. */
  arrived(player: PlayerActor, prev: string): Promise<void>;
}

/**
 * Resumes: a token held by an actor here (attached at once, or after claiming its parked record),
 * or a token parked by another node (claimed from the cluster's store and the player restored
 * here). With a shared store, every player in grace is parked there, and pushes that follow a
 * player arriving here before it is registered are kept (bounded) until its restore.
 */
export class ResumeCoordinator {
  readonly #c: ResumeContext;
  readonly #parking: ResumeParking | undefined;
  /** Remote resume claims in flight; while > 0, pushes for users not (yet) here are kept in #early. */
  #claims = 0;
  readonly #early = new Map<string, Uint8Array[]>();
  readonly #unsubscribe: (() => void) | undefined;

  constructor(context: ResumeContext) {
    this.#c = context;
    const store = context.backplane.resumes;
    if (store === undefined) return;
    this.#parking = new ResumeParking({
      store,
      nodeId: context.backplane.nodeId,
      publish: (nodeId, envelope) => context.bridge.publish(nodeId, envelope),
      logger: context.logger,
      graceMs: context.timeouts.grace,
      onMovedAway: (player, nodeId) => {
        context.stats.resumedElsewhere++;
        try {
          context.moves?.movedAway(player, nodeId);
        } catch (err) {
          context.logger.warn({ err, userId: player.userId }, 'moving the seats of a player that resumed elsewhere failed');
        }
      },
    });
    this.#unsubscribe = store.onResumed((notice) => {
      // A player parked here resumed on `nodeId`: stop it quietly.
      const player = context.registry.ofToken(notice.token);
      if (player !== undefined && player.phase === 'disconnected') this.#parking?.movedAway(player, notice.nodeId);
    });
  }

  /** Resumes the actor holding `token` with `ref`; `from` is the not-logged-in actor whose connection it takes over. */
  resume(token: string, ref: SessionHandle, rid: number, from: PlayerActor): ResumeOutcome | Promise<ResumeOutcome> {
    if (!isResumeToken(token)) {
      this.#c.rejectedWireId('resume token', token);
      return MALFORMED_TOKEN;
    }
    const target = this.#c.registry.ofToken(token);
    if (target !== undefined) {
      if (!target.alive || target === from) return UNKNOWN_TOKEN;
      // Expired, or live on its own connection: refused, and the live session is left untouched.
      const allowed = target.resumable();
      if (allowed !== true) return allowed;
      if (this.#parking?.mustClaim(target) === true) return this.#resumeParked(token, target, ref, rid, from);
      this.#parking?.resumed(target);
      from.handOff();
      target.attachResuming(ref, rid);
      return true;
    }
    if (this.#parking !== undefined) return this.#resumeFromCluster(token, ref, rid, from);
    return UNKNOWN_TOKEN;
  }

  /** `player` entered grace: park it where other nodes can resume it. */
  park(player: PlayerActor): void {
    this.#parking?.park(player);
  }

  /** A push was queued for `player` in grace: mirror it to the parked record. */
  queued(player: PlayerActor, bytes: Uint8Array): void {
    this.#parking?.queued(player, bytes);
  }

  /** See `PlayerHost.graceExpiring`. */
  graceExpiring(player: PlayerActor): boolean {
    return this.#parking?.expiring(player) ?? false;
  }

  /** The actor ended: its parked record must not be claimed any more. */
  forget(player: PlayerActor): void {
    this.#parking?.forget(player);
  }

  /** A push for a user not here: kept (bounded) if a remote claim is in flight, since it may be that user resuming here. */
  keepEarly(userId: string, bytes: Uint8Array): void {
    if (this.#claims === 0) return;
    let kept = this.#early.get(userId);
    if (kept === undefined) this.#early.set(userId, (kept = []));
    if (kept.length < this.#c.timeouts.queueLimit) kept.push(bytes.slice()); // a copy: the view belongs to the backplane's read buffer
  }

  close(): void {
    this.#unsubscribe?.();
  }

  /** A local resume of a player parked in the cluster's store: claim its record first (one winner). */
  async #resumeParked(token: string, target: PlayerActor, ref: SessionHandle, rid: number, from: PlayerActor): Promise<ResumeOutcome> {
    const won = await this.#parking!.claimLocal(target);
    if (!won || !target.alive || target.token !== token) return UNKNOWN_TOKEN;
    if (!from.alive || from.ref !== ref) return UNKNOWN_TOKEN; // the resuming connection went away meanwhile
    this.#parking!.resumed(target);
    from.handOff();
    target.attachResuming(ref, rid);
    return true;
  }

  /** A token this node does not hold: claim it from the cluster and restore the player here. */
  async #resumeFromCluster(token: string, ref: SessionHandle, rid: number, from: PlayerActor): Promise<ResumeOutcome> {
    this.#claims++;
    try {
      let record: ResumeRecord | undefined;
      try {
        record = await this.#c.backplane.resumes!.claim(token);
      } catch (err) {
        if (!isBackplaneDown(err)) throw err;
        return { code: err.code, text: err.message };
      }
      // Ours but no longer here: the actor ended meanwhile (its leave hook ran); do not bring it back.
      if (record === undefined || record.nodeId === this.#c.backplane.nodeId) return UNKNOWN_TOKEN;
      return await this.#restore(record, ref, rid, from);
    } finally {
      if (--this.#claims === 0) this.#early.clear();
    }
  }

  /** Spawns the actor of a player parked on another node, attaches the resuming connection, registers it. */
  async #restore(record: ResumeRecord, ref: SessionHandle, rid: number, from: PlayerActor): Promise<ResumeOutcome> {
    const c = this.#c;
    const state = asPortablePlayer(record.snapshot);
    if (state === undefined || state.userId !== record.userId) {
      c.logger.error({ userId: record.userId, nodeId: record.nodeId }, 'resume record holds no player snapshot; log in again');
      return UNKNOWN_TOKEN;
    }
    const userId = record.userId;
    // Pushes that followed the player here before it was registered, after the record's own queue.
    const early = this.#early.get(userId) ?? [];
    this.#early.delete(userId);
    const player = c.restore({ state, sessionId: record.sessionId, queued: early.length > 0 ? [...record.queued, ...early] : record.queued });
    if (c.clock.now() - player.loginAt > c.timeouts.tokenLifetime) {
      // Claimed (so the parking node stops quietly) but too old to resume: it ends here, leave hook and all.
      void player.close(ErrorCode.TOKEN_EXPIRED, 'resume token past its lifetime');
      return EXPIRED_TOKEN;
    }
    c.registry.add(player);
    const older = c.registry.setUser(userId, player);
    if (older !== undefined) void older.close(ErrorCode.KICKED, 'logged in elsewhere');
    c.stats.resumedFromOtherNodes++;
    // Its room seats follow it here before the resume reply (its first room.send works); pushes queue meanwhile.
    if (c.moves !== undefined) {
      try {
        await c.moves.arrived(player, record.nodeId);
      } catch (err) {
        c.logger.warn({ err, userId }, 'moving the room seats of a resumed player failed; it joins its rooms again');
      }
    }
    if (!player.alive) return UNKNOWN_TOKEN;
    if (!from.alive || from.ref !== ref || c.closing()) {
      // The resuming connection went away while the record was claimed: the player ends here.
      void player.close(ErrorCode.CLOSED, 'the resuming connection closed');
      return UNKNOWN_TOKEN;
    }
    from.handOff();
    player.attachResuming(ref, rid);
    c.bridge
      .register(userId, player.sessionId, { nodeId: record.nodeId, sessionId: record.sessionId })
      .catch((err: unknown) => c.logger.warn({ err, userId }, 'directory write after a cross-node resume failed'));
    return true;
  }
}
