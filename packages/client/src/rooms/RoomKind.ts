import type { RoomOptions } from '@hearth/protocol';

/**
 * What the client needs of a state mirror: `Mirror` from `@hearth/state` has this shape. A
 * structural type, so the client does not depend on `@hearth/state` (a game without synchronised
 * rooms does not bundle it; one with them imports `Mirror` itself).
 */
export interface StateMirror<S = unknown> {
  /** The mirrored state; undefined until the first full state. */
  readonly state: S | undefined;
  /** True until a full state is applied, and after a missed patch (then patches are refused). */
  readonly stale: boolean;
  /**
   * Applies a full state, a patch or a view switch (docs/protocol.md §13); returns `'old'` for a
   * patch the last full state already includes.
   * @throws on bytes that do not apply (the mirror is unchanged; `stale` after a gap).
   */
  apply(bytes: Uint8Array): string;
}

/**
 * A room kind as clients see it: its name, the options its `onCreate`/`onJoin` read, its state's
 * type and, for a room with a synchronised (`@hearth/state`) state, how to make a mirror of it.
 * Share it with the server next to the message definitions. Made by {@link defineRoomKind}.
 */
export interface RoomKind<O extends object = RoomOptions, S = unknown, M extends StateMirror | undefined = StateMirror | undefined> {
  readonly name: string;
  /** A new mirror for one joined room (a synced kind), or undefined (plain state). */
  readonly mirror: (() => M) | undefined;
  /** Phantom fields: never set at run time, they carry the types. */
  readonly __options?: O;
  readonly __state?: S;
}

/** A room kind of plain state (the join reply's `state` as it is). */
export type PlainRoomKind<O extends object = RoomOptions, S = unknown> = RoomKind<O, S, undefined> & {
  /**
   * The same kind with a synchronised state: each joined room gets a mirror from `factory`, kept
   * equal to the room's state by its patches.
   * @example defineRoomKind<{ mode?: string }>('arena').synced(() => new Mirror(World))
   */
  synced<M extends StateMirror>(factory: () => M): RoomKind<O, NonNullable<M['state']>, M>;
};

/** The options type of a room kind. */
export type OptionsOf<K> = K extends RoomKind<infer O, unknown, StateMirror | undefined> ? O : RoomOptions;
/** The state type of a room kind. */
export type StateOf<K> = K extends RoomKind<object, infer S, StateMirror | undefined> ? S : unknown;
/** The mirror type of a room kind (undefined for plain state). */
export type MirrorOf<K> = K extends { readonly mirror: (() => infer M) | undefined } ? M : undefined;

/**
 * Defines a room kind for the client: give the options and (plain) state types; `.synced(factory)`
 * for a room whose state is a `@hearth/state` encoder on the server.
 *
 * @example
 * export const Duel = defineRoomKind<{ mode?: string }, { mode: string; started: boolean }>('duel');
 * export const Arena = defineRoomKind<{ mode?: string }>('arena').synced(() => new Mirror(World));
 * const room = await client.joinOrCreate(Arena, { mode: 'ranked' }); // room.state: Mirrored<typeof World>
 */
export function defineRoomKind<O extends object = RoomOptions, S = unknown>(name: string): PlainRoomKind<O, S> {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- JavaScript callers may pass a non-string
  if (typeof name !== 'string' || name.length === 0 || name.length > 64) throw new RangeError(`room kind "${String(name)}": a name of 1-64 characters`);
  return Object.freeze({
    name,
    mirror: undefined,
    synced<M extends StateMirror>(factory: () => M): RoomKind<O, NonNullable<M['state']>, M> {
      return Object.freeze({ name, mirror: factory });
    },
  });
}

/** Any room kind, or a kind's bare name (untyped: `unknown` state, no mirror). */
export type AnyRoomKind = string | RoomKind<object, unknown, StateMirror | undefined>;

/** The name of a room kind. */
export function kindName(kind: AnyRoomKind): string {
  return typeof kind === 'string' ? kind : kind.name;
}
