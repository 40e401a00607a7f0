import type { MemberLink } from './RoomMember.ts';

/**
 * Which state group each member of a synced room is in: members without a view share the room's
 * plain-patch group, members with a view share that view's group, so each patch is encoded once
 * (the holder's group broadcast) for everyone who gets it. @internal
 */
export class RoomViews {
  readonly #base: string;
  readonly #viewOf = new Map<MemberLink, unknown>();
  readonly #groups = new Map<unknown, { name: string; users: number }>();
  #next = 0;

  constructor(roomGroup: string) {
    this.#base = roomGroup;
  }

  /** The group of the members without a view. */
  get plainGroup(): string {
    return `${this.#base}/s`;
  }

  /** The views in use and their groups. */
  get groups(): ReadonlyMap<unknown, { readonly name: string }> {
    return this.#groups;
  }

  viewOf(player: MemberLink): unknown {
    return this.#viewOf.get(player);
  }

  /** Records a view (for a joiner: applied by `enter`). */
  set(player: MemberLink, view: unknown): void {
    this.#viewOf.set(player, view);
  }

  forget(player: MemberLink): void {
    this.#viewOf.delete(player);
  }

  /** Puts a member in the group of its view (or the plain one). */
  enter(player: MemberLink): void {
    const view = this.#viewOf.get(player);
    if (view === undefined) {
      player.join(this.plainGroup);
      return;
    }
    let group = this.#groups.get(view);
    if (group === undefined) this.#groups.set(view, (group = { name: `${this.#base}/v${this.#next++}`, users: 0 }));
    group.users++;
    player.join(group.name);
  }

  /** Takes a member out of its view's group (the view stays recorded; see `forget`). */
  exit(player: MemberLink): void {
    const view = this.#viewOf.get(player);
    if (view === undefined) {
      player.leave(this.plainGroup);
      return;
    }
    const group = this.#groups.get(view);
    if (group === undefined) return;
    player.leave(group.name);
    if (--group.users === 0) this.#groups.delete(view);
  }

  clear(): void {
    this.#viewOf.clear();
    this.#groups.clear();
  }
}
