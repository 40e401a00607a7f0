import { RoomState } from '@hearth/protocol';
import type { RoomHub } from './RoomInstance.ts';
import type { MemberLink } from './RoomMember.ts';
import { roomStateOf } from './RoomRefs.ts';
import { RoomViews } from './RoomViews.ts';
import type { SyncedState } from './SyncedState.ts';

/**
 * How a room's state reaches its members: with a `sync` room's encoder, one `room.state` patch per
 * flush (encoded once, then once per view) to each state group, a member's full state in its join
 * reply, view switches; without one, the plain state in the join reply only. @internal
 */
export class RoomStateSync {
  /** The `@hearth/state` encoder of a `sync` room; undefined for a plain-state room. */
  readonly synced: SyncedState<unknown> | undefined;
  /** Each member's view and state group. */
  readonly views: RoomViews;
  readonly #roomId: string;
  readonly #hub: Pick<RoomHub, 'broadcast'>;

  constructor(roomId: string, group: string, synced: SyncedState<unknown> | undefined, hub: Pick<RoomHub, 'broadcast'>) {
    this.#roomId = roomId;
    this.views = new RoomViews(group);
    this.synced = synced;
    this.#hub = hub;
  }

  /** A member enters its view's state group (a synced room only). */
  enter(link: MemberLink): void {
    if (this.synced !== undefined) this.views.enter(link);
  }

  exit(link: MemberLink): void {
    if (this.synced !== undefined) this.views.exit(link);
  }

  /** What a joiner's reply carries: its view's full state (synced), else `plain`. */
  stateFor(link: MemberLink, plain: unknown): unknown {
    return this.synced === undefined ? plain : this.synced.full(this.views.viewOf(link) as never);
  }

  /** Sends the pending changes as one patch to the members (encoded once; then once per view). */
  flush(): void {
    const synced = this.synced;
    if (synced === undefined || synced.clean) return;
    const views = this.views;
    const roomId = this.#roomId;
    if (views.groups.size === 0 || synced.encodeTick === undefined) {
      this.#hub.broadcast(views.plainGroup, RoomState, roomStateOf(roomId, synced.encode()) as never);
      return;
    }
    const tick = synced.encodeTick();
    this.#hub.broadcast(views.plainGroup, RoomState, roomStateOf(roomId, tick.patch()) as never);
    for (const [view, group] of views.groups) this.#hub.broadcast(group.name, RoomState, roomStateOf(roomId, tick.patch(view as never)) as never);
  }

  /**
   * Gives `link` the view `view`: a joiner (`member` false) gets it with its join; a member gets a
   * view switch after the pending changes' patch (`flush` first). False without `sync`/`switchView`.
   */
  setView(link: MemberLink, view: unknown, member: boolean, flush: () => void): boolean {
    const synced = this.synced;
    if (synced === undefined) return false;
    const previous = this.views.viewOf(link);
    if (view === previous) return true;
    if (!member) {
      this.views.set(link, view);
      return true;
    }
    if (synced.switchView === undefined) return false;
    flush(); // the switch applies on top of every patch sent so far
    link.push(RoomState, roomStateOf(this.#roomId, synced.switchView(previous as never, view as never)));
    this.views.exit(link);
    this.views.set(link, view);
    this.views.enter(link);
    return true;
  }
}
