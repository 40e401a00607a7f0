import { ErrorCode } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { Backplane, DirectoryEntry, Envelope } from '../backplane/Backplane.ts';
import { backplaneUnavailable } from '../backplane/errors.ts';
import type { HolderStats } from './HolderStats.ts';

/** At most one "cross-node work failed" warning per this many ms (an outage would otherwise log per message). */
const WARN_EVERY_MS = 1_000;

/**
 * This node's side of the cluster: finds other nodes' users in the directory, publishes envelopes
 * to them, and keeps its own users' directory entries. Cross-node work is best effort: a failure
 * (Redis down) is counted in `stats.remoteDropped` and logged at most once a second, never thrown into game
 * code, except from {@link ClusterBridge.nodeOf}, which `deliver` uses to report it.
 */
export class ClusterBridge {
  readonly #backplane: Backplane;
  readonly #logger: Logger;
  readonly #stats: HolderStats;
  #lastWarnAt = 0;

  /** `stats.remoteDropped` counts what could not leave this node. */
  constructor(backplane: Backplane, logger: Logger, stats: HolderStats) {
    this.#backplane = backplane;
    this.#logger = logger;
    this.#stats = stats;
  }

  /** True when other nodes may exist (a lone in-memory node skips all remote work). */
  get shared(): boolean {
    return this.#backplane.shared;
  }

  get nodeId(): string {
    return this.#backplane.nodeId;
  }

  /** Sends `envelope` to the node holding `userId` (looked up in the directory), best effort. */
  forward(userId: string, envelope: Envelope): void {
    if (this.#backplane.available === false) {
      this.#failed(undefined, { userId }, 'cross-node message dropped: backplane down');
      return;
    }
    this.#backplane.directory.lookup(userId).then(
      (entry) => {
        if (entry !== undefined && entry.nodeId !== this.nodeId) this.publish(entry.nodeId, envelope);
      },
      (err: unknown) => this.#failed(err, { userId }, 'directory lookup failed; message dropped'),
    );
  }

  /**
   * The other node holding `userId`, or undefined (nowhere, or here). Rejects with
   * `BACKPLANE_UNAVAILABLE` at once while the backplane is down.
   */
  async nodeOf(userId: string): Promise<string | undefined> {
    if (this.#backplane.available === false) throw backplaneUnavailable(`send to ${userId} on another node`);
    const entry = await this.#backplane.directory.lookup(userId);
    return entry === undefined || entry.nodeId === this.nodeId ? undefined : entry.nodeId;
  }

  /** Publishes to a node; a failure is counted and logged (throttled), never thrown. */
  publish(nodeId: string, envelope: Envelope): void {
    try {
      this.#backplane.publish(nodeId, envelope);
    } catch (err) {
      this.#failed(err, { nodeId, kind: envelope.kind }, 'cross-node message dropped');
    }
  }

  /**
   * Publishes a group broadcast to the other nodes with members; a failure is counted, never thrown.
   * No fail-fast on `available` here: the backplane knows the groups that stay on this node
   * (`RedisBackplane.keepLocal`), whose broadcasts send nothing and so drop nothing while Redis is down;
   * it throws for the others, which are counted.
   */
  publishGroup(group: string, bytes: Uint8Array, exceptUserId: string | undefined): void {
    try {
      this.#backplane.publishGroup({ kind: 'group', group, bytes, ...(exceptUserId === undefined ? {} : { exceptUserId }) });
    } catch (err) {
      this.#failed(err, { group }, 'cross-node broadcast failed; local members were reached');
    }
  }

  /**
   * Writes the directory entry of `userId` (this node, `sessionId`); an older entry on another
   * node is kicked unless it is `replaces` (the parked twin of a player resumed here).
   */
  async register(userId: string, sessionId: number, replaces: Omit<DirectoryEntry, 'userId'> | undefined): Promise<void> {
    const previous = await this.#backplane.directory.claim({ userId, nodeId: this.nodeId, sessionId });
    if (previous === undefined || previous.nodeId === this.nodeId) return;
    if (replaces !== undefined && previous.nodeId === replaces.nodeId && previous.sessionId === replaces.sessionId) return;
    this.publish(previous.nodeId, { kind: 'kick', userId, sessionId: previous.sessionId, code: ErrorCode.KICKED, text: 'logged in elsewhere' });
  }

  /** Removes the directory entry of `userId` if it is still this node's `sessionId`. */
  release(userId: string, sessionId: number): void {
    this.#backplane.directory
      .release({ userId, nodeId: this.nodeId, sessionId })
      .catch((err: unknown) => this.#logger.warn({ err, userId }, 'directory release failed'));
  }

  /** Counts a dropped cross-node operation; logs at most one warning per second (with how many were dropped). */
  #failed(err: unknown, context: Record<string, unknown>, text: string): void {
    const dropped = ++this.#stats.remoteDropped;
    const now = Date.now();
    if (now - this.#lastWarnAt < WARN_EVERY_MS) return;
    this.#lastWarnAt = now;
    this.#logger.warn({ ...(err === undefined ? {} : { err }), ...context, remoteDropped: dropped }, text);
  }
}
