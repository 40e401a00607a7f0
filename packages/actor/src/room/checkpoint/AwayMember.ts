import type { AnyDefinition, Payload, RoomOptions } from '@hearth/protocol';
import type { Clock } from '../../time/Clock.ts';
import type { MemberLink } from '../RoomMember.ts';

/**
 * A member of a restored room whose player has not come back yet (its node died or drained, and the
 * room was restored here from its checkpoint). It keeps its seat, `connected` is false, and pushes
 * to it are dropped (there is no session to queue them for; the full state follows when it comes
 * back). When its player logs in, resumes or addresses the room on this node it re-enters
 * (`RoomInstance.reenter`); if it has not after `graceMs`, `onExpire` runs (the room's `onLeave`
 * with `GRACE_EXPIRED`). @internal
 */
export class AwayMember implements MemberLink {
  readonly userId: string;
  readonly options: RoomOptions;
  /** The node the member was last seen on (the room's previous owner). */
  readonly nodeId: string;
  readonly joinedAt: number;
  readonly connected = false;
  room: MemberLink['room'];
  readonly #clock: Clock;
  #timer: unknown;
  #gone = false;

  constructor(member: { userId: string; options: RoomOptions; joinedAt: number }, nodeId: string, clock: Clock, graceMs: number, onExpire: (away: AwayMember) => void) {
    this.userId = member.userId;
    this.options = member.options;
    this.joinedAt = member.joinedAt;
    this.nodeId = nodeId;
    this.#clock = clock;
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      this.#gone = true;
      onExpire(this);
    }, graceMs);
  }

  /** True until its grace ended: an away member holds its seat (prune keeps it). */
  get alive(): boolean {
    return !this.#gone;
  }

  /** Stops the grace timer (it came back, or the room stopped). */
  cancel(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  is(other: MemberLink): boolean {
    return other === this;
  }
  send<D extends AnyDefinition>(_definition: D, _payload: Payload<D>): boolean {
    return false;
  }
  push<D extends AnyDefinition>(_definition: D, _payload: Payload<D>): boolean {
    return false;
  }
  join(_group: string): void {}
  leave(_group: string): void {}
  toJSON(): object {
    return { userId: this.userId, nodeId: this.nodeId, connected: false, away: true, joinedAt: this.joinedAt };
  }
}
