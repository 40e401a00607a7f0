import type { Backplane } from '../backplane/Backplane.ts';
import type { PlayerActor } from '../player/PlayerActor.ts';

const NO_MEMBERS: ReadonlySet<PlayerActor> = new Set();

/**
 * The groups (rooms) of a node: local members per group name. The backplane is told when a group
 * gains its first local member and loses its last, so cross-node broadcasts reach only nodes with
 * members.
 */
export class Groups {
  readonly #groups = new Map<string, Set<PlayerActor>>();
  readonly #backplane: Backplane;

  constructor(backplane: Backplane) {
    this.#backplane = backplane;
  }

  join(group: string, player: PlayerActor): void {
    let members = this.#groups.get(group);
    if (members === undefined) {
      this.#groups.set(group, (members = new Set()));
      this.#backplane.watchGroup(group, true);
    }
    members.add(player);
  }

  leave(group: string, player: PlayerActor): void {
    const members = this.#groups.get(group);
    if (members === undefined || !members.delete(player) || members.size > 0) return;
    this.#groups.delete(group);
    this.#backplane.watchGroup(group, false);
  }

  members(group: string): ReadonlySet<PlayerActor> {
    return this.#groups.get(group) ?? NO_MEMBERS;
  }

  names(): string[] {
    return [...this.#groups.keys()];
  }

  /**
   * Appends encoded bytes to every local member (queued for those in grace) but `except` (a member,
   * or a user id from another node's broadcast); returns how many took them.
   */
  deliver(group: string, bytes: Uint8Array, except: PlayerActor | string | undefined): number {
    const members = this.#groups.get(group);
    if (members === undefined) return 0;
    let reached = 0;
    for (const member of members) {
      if (member !== except && member.userId !== except && member.deliverEncoded(bytes)) reached++;
    }
    return reached;
  }
}
