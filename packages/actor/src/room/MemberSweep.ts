import { ErrorCode } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../time/Clock.ts';
import type { RoomInstance } from './RoomInstance.ts';
import type { RoomManager } from './RoomManager.ts';
import { RemoteMember } from './RemoteMember.ts';

/** What {@link MemberSweep} uses. */
export interface MemberSweepOptions {
  readonly manager: RoomManager;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Whether a node is in the registry. */
  readonly isNodeLive: (nodeId: string) => Promise<boolean>;
  readonly sweepMs: number;
  /** Runs first in each sweep (the player side tells its presence changes). */
  readonly before: () => void;
}

/**
 * Every `sweepMs`, removes the members of this node's rooms whose node left the registry (crashed
 * and its lease lapsed): their seats free up and `onLeave` sees `CLOSED`. @internal ClusterRooms runs it
 */
export class MemberSweep {
  readonly #o: MemberSweepOptions;
  #timer: unknown;
  #closed = false;

  constructor(options: MemberSweepOptions) {
    this.#o = options;
    this.#arm();
  }

  /** One sweep now; resolves with the members removed. */
  async sweep(): Promise<number> {
    this.#o.before();
    const m = this.#o.manager;
    const byNode = new Map<string, Array<[RoomInstance, RemoteMember]>>();
    for (const handle of m.rooms()) {
      const room = m.instance(handle.id);
      if (room === undefined) continue;
      for (const member of room.members.values()) {
        if (!(member instanceof RemoteMember)) continue;
        let list = byNode.get(member.nodeId);
        if (list === undefined) byNode.set(member.nodeId, (list = []));
        list.push([room, member]);
      }
    }
    let removed = 0;
    for (const [nodeId, members] of byNode) {
      if (await this.#o.isNodeLive(nodeId).catch(() => true)) continue;
      for (const [room, member] of members) {
        member.alive = false;
        if (await room.leave(member, { code: ErrorCode.CLOSED, text: `the member's node ${nodeId} left the cluster` })) removed++;
      }
    }
    return removed;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    if (this.#closed) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.sweep()
        .catch((err: unknown) => this.#o.logger.warn({ err }, 'room member sweep failed'))
        .finally(() => this.#arm());
    }, this.#o.sweepMs);
    (this.#timer as { unref?: () => void } | undefined)?.unref?.();
  }
}
