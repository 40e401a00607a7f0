import { ErrorCode, HearthError, RoomJoin, RoomLeave, RoomSend, type AnyDefinition, type Payload, type Reply } from '@hearth/protocol';
import { Emitter } from '../Emitter.ts';
import { Handlers } from '../Handlers.ts';
import type { CloseInfo, HearthClient, RequestOptions } from '../HearthClient.ts';
import { ClientErrorCode, isRetryable } from '../errors.ts';
import type { RoomKind, StateMirror } from './RoomKind.ts';

/** A room handle's events. */
export interface ClientRoomEvents<S> {
  /** The room's state changed: a patch or full state applied to its mirror, or a plain state refreshed. */
  state: (state: S) => void;
  /** The player is out of the room, for good: `LEFT` (`leave()`), `ROOM_DISPOSED`, `KICKED`, the room's own code, a resync refusal (`ROOM_NOT_FOUND`...), or the client's final close code. */
  leave: (info: CloseInfo) => void;
  /** After the client resumed, the server confirmed the membership (and resent the state): catch up on what may have been lost. */
  resumed: () => void;
}

/** @internal how `ClientRooms` drives a handle (kept off the public surface). */
export interface RoomControl {
  push(type: number, payload: unknown): void;
  patch(bytes: Uint8Array): void;
  /**
   * A patch came under a ref no room has while this one has none (its resync after a reconnect
   * failed): paces its next resync as its own patches would.
   */
  unbound(): void;
  /** A join reply's state for this room (joined again). */
  joined(state: unknown): void;
  /** Asks for the room's full state again; `resumed`: after a resume (fires `resumed` once it is back). */
  resync(resumed: boolean): void;
  left(info: CloseInfo): void;
}

/** Room codes a resync treats as transient (retried), besides `isRetryable` ones: `INTERNAL` may be a state not yet flushed. */
const TRANSIENT = new Set<string>([ErrorCode.INTERNAL]);
/** Most patches a stale mirror waits, after failed resyncs, before asking again (backoff 1, 3, 7 … 63). */
const MAX_RESYNC_BACKOFF = 6;

/**
 * A room the client is in (from `joinOrCreate`, `join` or `create`): typed messages to the room and
 * from it, its state (plain data, or a mirror kept equal to the room's synchronised state) and its
 * end. It keeps working across reconnects: after a resume the client confirms the membership and
 * takes the room's full state again (a mirror may have missed patches with the old connection).
 *
 * @example
 * const room = await client.joinOrCreate(Arena, { mode: 'ranked' });
 * room.on(Moved, ({ who, x, y }) => draw(who, x, y));
 * room.onStateChange((state) => render(state));
 * room.onLeave(({ code }) => backToLobby(code));
 * const { ok } = await room.request(Move, { x: 1, y: 2 });
 */
export class ClientRoom<S = unknown, M extends StateMirror | undefined = StateMirror | undefined> {
  /** The room id (the server's). */
  readonly id: string;
  /** The room kind's name. */
  readonly kind: string;
  /** The mirror of a synchronised room (a `@hearth/state` `Mirror`: its `onAdd`/`onChange` listeners), or undefined. */
  readonly mirror: M;
  readonly #client: HearthClient;
  readonly #forget: (room: ClientRoom<S, M>) => void;
  /** Files this room under the ref a resync reply gives (its `room.state` pushes name it by ref). */
  readonly #bindRef: (ref: unknown) => void;
  readonly #handlers = new Handlers();
  readonly #events = new Emitter<ClientRoomEvents<S>>();
  #plain: unknown;
  #left: CloseInfo | undefined;
  #syncing = false;
  #failures = 0;
  /** Patches to let pass before asking for the full state again (backoff after failed resyncs). */
  #waitPatches = 0;

  /**
   * @internal made by the client's join calls.
   * @throws {HearthError} `STATE_MALFORMED` when the join reply's state does not fit the mirror.
   */
  constructor(
    client: HearthClient,
    id: string,
    kind: string,
    state: unknown,
    mirror: M,
    forget: (room: ClientRoom<S, M>) => void,
    control: (control: RoomControl) => void,
    bindRef: (ref: unknown) => void = () => {},
  ) {
    this.id = id;
    this.kind = kind;
    this.mirror = mirror;
    this.#client = client;
    this.#forget = forget;
    this.#bindRef = bindRef;
    this.#take(state);
    control({
      push: (type, payload) => this.#handlers.push(type, payload),
      patch: (bytes) => this.#patch(bytes),
      unbound: () => {
        if (this.mirror !== undefined) this.#retry();
      },
      joined: (state) => {
        try {
          this.#take(state);
          this.#events.emit('state', this.state);
        } catch (error) {
          this.#failed(error);
        }
      },
      resync: (resumed) => this.#resync(resumed),
      left: (info) => this.#finish(info),
    });
  }

  /**
   * The room's state: the mirror's (kept up to date by the room's patches) for a synchronised room,
   * else the plain data of the join reply (refreshed after a resume).
   */
  get state(): S {
    return (this.mirror !== undefined ? this.mirror.state : this.#plain) as S;
  }

  /** Why the player is out of the room, once it is; undefined while in it. */
  get left(): CloseInfo | undefined {
    return this.#left;
  }

  /** Sends a one-way message to the room (`room.send` envelope); false when not sent (disconnected, or out of the room). */
  send<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean {
    if (this.#left !== undefined) return false;
    return this.#client.send(RoomSend, [this.id, definition.type, payload]);
  }

  /**
   * Sends a request to the room; resolves with the room handler's typed reply.
   * @throws {HearthError} the room's coded error (`NOT_IN_ROOM`, `UNKNOWN_TYPE`, the handler's code),
   * `TIMEOUT`, `DISCONNECTED` (retryable, unless the definition is idempotent: then re-sent after the
   * resume), or the client's final code; `NOT_IN_ROOM` at once after the player left the room (a
   * `NOT_IN_ROOM` from the server ends the handle too).
   */
  async request<D extends AnyDefinition>(definition: D, payload: Payload<D>, options: RequestOptions = {}): Promise<Reply<D>> {
    if (this.#left !== undefined) throw this.#notIn(definition.name);
    const idempotent = options.idempotent ?? (definition as { idempotent?: boolean }).idempotent ?? false;
    try {
      return (await this.#client.request(RoomSend, [this.id, definition.type, payload], { ...options, idempotent })) as Reply<D>;
    } catch (error) {
      if (!(error instanceof HearthError)) throw error;
      // The server says the player is not in the room (its room.left was missed, e.g. across a resume): the handle ends.
      if (error.code === NOT_IN_ROOM) this.#finish({ code: NOT_IN_ROOM, text: `the server has the player out of room ${this.id}` });
      throw new HearthError(error.code, `${definition.name} in room ${this.id}: ${error.message.replace(/^room\.send: /, '')}`, { cause: error });
    }
  }

  /** Handles the room's pushes of a definition (typed payload; only this room's). Returns the remover. */
  on<D extends AnyDefinition>(definition: D, handler: (payload: Payload<D>) => void): () => void;
  /** After a resume, once the room is confirmed: fetch what may have been lost (e.g. an `OrderedFeed`). */
  on(event: 'resumed', listener: () => void): () => void;
  on(target: AnyDefinition | 'resumed', handler: (...args: never[]) => void): () => void {
    if (target === 'resumed') return this.#events.on('resumed', handler);
    return this.#handlers.onPush(target, handler as (payload: unknown) => void);
  }

  /** Listens to state changes (after each applied patch or full state). Returns the remover. */
  onStateChange(listener: (state: S) => void): () => void {
    return this.#events.on('state', listener);
  }

  /** Listens to the end of the membership (once). Returns the remover. */
  onLeave(listener: (info: CloseInfo) => void): () => void {
    return this.#events.on('leave', listener);
  }

  /**
   * Leaves the room: the handle is out at once (`onLeave` gets `LEFT`), the server is told (again
   * after a resume if the connection drops meanwhile). Resolves with whether the server had the
   * player in the room (false once the client is closed).
   */
  async leave(): Promise<boolean> {
    if (this.#left !== undefined) return false;
    this.#finish({ code: 'LEFT', text: 'left the room' });
    try {
      return await this.#client.request(RoomLeave, { roomId: this.id }, { idempotent: true });
    } catch (error) {
      if (error instanceof HearthError && (error.code === ErrorCode.CLOSED || this.#client.state === 'closed')) return false;
      throw error;
    }
  }

  /** Applies a join reply's state (the first, or a resync's). */
  #take(state: unknown): void {
    const mirror = this.mirror;
    if (mirror === undefined) {
      this.#plain = state;
      return;
    }
    if (!(state instanceof Uint8Array)) {
      throw new HearthError('STATE_MALFORMED', `room ${this.id} (${this.kind}) sent a plain state, not state bytes: join it with a kind that has no mirror`);
    }
    mirror.apply(state);
  }

  #patch(bytes: Uint8Array): void {
    const mirror = this.mirror;
    // The full state a resync is waiting for includes every patch sent before it on this connection.
    if (mirror === undefined || this.#left !== undefined || this.#syncing) return;
    if (!mirror.stale) {
      try {
        if (mirror.apply(bytes) !== 'old') this.#events.emit('state', this.state);
        return;
      } catch {
        // a missed patch (the mirror is now stale) or bytes that do not apply: ask for the full state
      }
    }
    this.#retry();
  }

  /** A patch that did not apply (or could not be routed here): ask for the full state, or count down the backoff. */
  #retry(): void {
    if (this.#left !== undefined || this.#syncing) return;
    if (this.#waitPatches > 0) {
      this.#waitPatches--;
      return;
    }
    this.#resync(false);
  }

  /**
   * Asks for the room's full state: a `room.join` of a room one is in answers it again. Dropped
   * patches are then covered; a refusal (the room is gone, or the membership ended) ends the handle.
   */
  #resync(resumed: boolean): void {
    if (this.#left !== undefined || this.#syncing) return;
    this.#syncing = true;
    this.#client.request(RoomJoin, { roomId: this.id }).then(
      (joined) => {
        this.#syncing = false;
        if (this.#left !== undefined) {
          // Out meanwhile (kicked, left): if this join seated the player again, undo it.
          void this.#client.request(RoomLeave, { roomId: this.id }, { idempotent: true }).catch(() => {});
          return;
        }
        this.#bindRef((joined as { ref?: unknown }).ref);
        try {
          this.#take(joined.state);
        } catch (error) {
          this.#failed(error);
          return;
        }
        this.#failures = 0;
        this.#waitPatches = 0;
        this.#events.emit('state', this.state);
        if (resumed) this.#events.emit('resumed');
      },
      (error: unknown) => {
        this.#syncing = false;
        if (this.#left === undefined) this.#failed(error);
      },
    );
  }

  /** A resync failed: transient codes retry later (next resume, or after a few patches), others end the membership. */
  #failed(error: unknown): void {
    const code = error instanceof HearthError ? error.code : ErrorCode.INTERNAL;
    const text = error instanceof Error ? error.message : String(error);
    if (isRetryable(code) || TRANSIENT.has(code) || code.startsWith('STATE_')) {
      this.#failures++;
      this.#waitPatches = 2 ** Math.min(this.#failures, MAX_RESYNC_BACKOFF) - 1;
      return;
    }
    if (code === ClientErrorCode.CLOSED || this.#client.state === 'closed') return; // the client's `closed` ends every room
    this.#finish({ code, text: `the room could not be resynchronised: ${text}` });
  }

  #finish(info: CloseInfo): void {
    if (this.#left !== undefined) return;
    this.#left = info;
    this.#forget(this);
    this.#events.emit('leave', info);
  }

  #notIn(name: string): HearthError {
    const left = this.#left!;
    return new HearthError(NOT_IN_ROOM, `${name}: not in room ${this.id} any more (${left.code}: ${left.text})`);
  }
}

const NOT_IN_ROOM = 'NOT_IN_ROOM';

/** The handle a join of kind `K` gives: typed state and mirror for a {@link RoomKind}, untyped for a bare name. */
export type RoomOf<K> = K extends RoomKind<object, infer S, infer M> ? ClientRoom<S, M> : ClientRoom<unknown, undefined>;
