import {
  HearthError,
  RoomLeave,
  RoomLeft,
  RoomList,
  RoomPush,
  RoomState,
  type MessageDefinition,
  type RoomJoined,
  type RoomListing,
  type RoomOptions,
} from '@hearth/protocol';
import type { CloseInfo, HearthClient } from '../HearthClient.ts';
import { ClientRoom, type RoomControl } from './ClientRoom.ts';
import type { RoomKind, StateMirror } from './RoomKind.ts';

/** Room messages held while a join is in flight, for a room not known yet (at most this many). */
const MAX_EARLY = 256;
const MAX_ID = 64;

type Early = { push: true; type: number; payload: unknown } | { push: false; bytes: Uint8Array };
/** A held message and the room id (`room.push`) or ref (`room.state`) it names. */
type Held = { key: string | number; message: Early };
type JoinDefinition = MessageDefinition<{ roomId?: string; kind?: string; options?: RoomOptions; private?: boolean }, RoomJoined>;

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID;
}

/** A room ref (`room.state`'s first element, a join reply's `ref`): a uint32. */
function isRef(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/**
 * The rooms a client is in: joins (framework requests 10–12), listings (14), and the room
 * messages the server pushes (`room.push`, `room.state`, `room.left`), routed to each room's
 * handle. Every room push is checked before it is trusted (a malformed one is dropped). After a
 * resume each room is resynchronised; after a final close each handle leaves with the code.
 * @internal the client's join calls use it.
 */
export class ClientRooms {
  readonly #client: HearthClient;
  readonly #rooms = new Map<string, { room: ClientRoom; control: RoomControl }>();
  /**
   * The rooms by ref (`room.state` names a room by its ref): learnt from each join or resync reply,
   * valid for one connection (forgotten on a disconnect: a resumed player may be a new actor with
   * new refs; the resync after the resume gives them again, and its full state covers the patches
   * dropped meanwhile).
   */
  readonly #byRef = new Map<number, { room: ClientRoom; control: RoomControl }>();
  /** Joins in flight: while there are some, pushes for unknown rooms are held (a room's first pushes may overtake its join reply). */
  #joining = 0;
  /** Held messages in arrival order (at most MAX_EARLY). */
  #early: Held[] = [];

  constructor(client: HearthClient) {
    this.#client = client;
    client.on(RoomPush, (envelope) => {
      if (!Array.isArray(envelope) || envelope.length !== 3) return;
      const [roomId, type, payload] = envelope as unknown[];
      if (!isId(roomId) || typeof type !== 'number') return;
      const entry = this.#rooms.get(roomId);
      if (entry !== undefined) entry.control.push(type, payload);
      else this.#hold(roomId, { push: true, type, payload });
    });
    // `[ref, bytes]` (a server before refs sent `[roomId, bytes]`: taken too); anything else is dropped.
    client.on(RoomState, (message) => {
      if (!Array.isArray(message) || message.length !== 2) return;
      const [room, bytes] = message as unknown[];
      if (!(isRef(room) || isId(room)) || !(bytes instanceof Uint8Array)) return;
      const entry = typeof room === 'number' ? this.#byRef.get(room) : this.#rooms.get(room);
      if (entry !== undefined) entry.control.patch(bytes);
      else {
        this.#hold(room, { push: false, bytes });
        // Maybe a patch of a room whose resync after a reconnect failed (so its new ref is unknown): let those ask again.
        if (typeof room === 'number' && this.#byRef.size < this.#rooms.size) this.#nudgeUnbound();
      }
    });
    client.on(RoomLeft, (message) => {
      if (!isRecord(message) || !isId(message['roomId'])) return;
      const code = typeof message['code'] === 'string' ? message['code'].slice(0, MAX_ID) : 'LEFT';
      const text = typeof message['text'] === 'string' ? message['text'].slice(0, 1024) : '';
      this.#rooms.get(message['roomId'])?.control.left({ code, text });
    });
    client.on('disconnected', () => {
      // Refs and held messages belong to the connection: a held patch's ref may name another room on the next one.
      this.#byRef.clear();
      this.#clearEarly();
    });
    client.on('resumed', () => {
      for (const { control } of [...this.#rooms.values()]) control.resync(true);
    });
    client.on('closed', (info: CloseInfo) => {
      for (const { control } of [...this.#rooms.values()]) control.left(info);
      this.#clearEarly();
    });
  }

  /** The rooms the client is in, by id. */
  get rooms(): ReadonlyMap<string, ClientRoom> {
    const out = new Map<string, ClientRoom>();
    for (const [id, { room }] of this.#rooms) out.set(id, room);
    return out;
  }

  /** Runs a join request and returns the room's handle (the same handle when already in the room). */
  async enter<S, M extends StateMirror | undefined>(
    definition: JoinDefinition,
    payload: { roomId?: string; kind?: string; options?: RoomOptions; private?: boolean },
    kind: RoomKind<object, S, M> | undefined,
  ): Promise<ClientRoom<S, M>> {
    this.#joining++;
    let joined: RoomJoined;
    try {
      joined = await this.#client.request(definition, payload);
    } catch (error) {
      if (--this.#joining === 0) this.#clearEarly();
      throw error;
    }
    this.#joining--;
    if (!isRecord(joined) || !isId(joined.roomId) || (joined.ref !== undefined && !isRef(joined.ref))) {
      if (this.#joining === 0) this.#clearEarly();
      throw new HearthError('BAD_REPLY', `${definition.name}: the reply names no room, or a bad room ref`);
    }
    const early = this.#takeEarly(joined.roomId, joined.ref);
    if (this.#joining === 0) this.#clearEarly();
    const known = this.#rooms.get(joined.roomId);
    if (known !== undefined) {
      // Joined again (the server answers a member's join again): its state as of this reply.
      this.#bind(known, joined.ref);
      known.control.joined(joined.state);
      return known.room as unknown as ClientRoom<S, M>;
    }
    const kindName = isId(joined.kind) ? joined.kind : (kind?.name ?? payload.kind ?? '');
    let control: RoomControl | undefined;
    let room: ClientRoom<S, M>;
    try {
      room = new ClientRoom<S, M>(
        this.#client,
        joined.roomId,
        kindName,
        joined.state,
        kind?.mirror?.() as M,
        (r) => {
          if (this.#rooms.get(r.id)?.room === (r as unknown)) this.#rooms.delete(r.id);
          for (const [ref, e] of this.#byRef) if (e.room === (r as unknown)) this.#byRef.delete(ref);
        },
        (c) => (control = c),
        (ref) => {
          const entry = this.#rooms.get(joined.roomId);
          if (entry !== undefined && entry.room === (room as unknown)) this.#bind(entry, ref);
        },
      );
    } catch (error) {
      // The server has the player in a room the client cannot mirror: leave it.
      void this.#client.request(RoomLeave, { roomId: joined.roomId }).catch(() => {});
      throw error;
    }
    const entry = { room: room as unknown as ClientRoom, control: control! };
    this.#rooms.set(room.id, entry);
    this.#bind(entry, joined.ref);
    for (const message of early) {
      if (message.push) control!.push(message.type, message.payload);
      else control!.patch(message.bytes);
    }
    return room;
  }

  /** The public rooms of a kind (with `options`: those whose filter matches), at most the server's listing limit. */
  async list(kind: string, options?: RoomOptions): Promise<RoomListing[]> {
    const listing = await this.#client.request(RoomList, options === undefined ? { kind } : { kind, options });
    if (!Array.isArray(listing)) throw new HearthError('BAD_REPLY', 'room.list: the reply is not a list');
    return listing.filter((r): r is RoomListing => isRecord(r) && isId(r['roomId']));
  }

  /** Files the room under the ref a join or resync reply gave (a ref names one room: the last reply wins). */
  #bind(entry: { room: ClientRoom; control: RoomControl }, ref: unknown): void {
    if (!isRef(ref)) return;
    for (const [r, e] of this.#byRef) if (e === entry && r !== ref) this.#byRef.delete(r);
    this.#byRef.set(ref, entry);
  }

  #nudgeUnbound(): void {
    const bound = new Set(this.#byRef.values());
    for (const entry of [...this.#rooms.values()]) if (!bound.has(entry)) entry.control.unbound();
  }

  #hold(key: string | number, message: Early): void {
    if (this.#joining === 0 || this.#early.length >= MAX_EARLY) return;
    this.#early.push({ key, message });
  }

  /** The held messages of the room joined (by its id or its ref), in arrival order. */
  #takeEarly(roomId: string, ref: number | undefined): Early[] {
    const mine: Early[] = [];
    const rest: Held[] = [];
    for (const h of this.#early) {
      if (h.key === roomId || h.key === ref) mine.push(h.message);
      else rest.push(h);
    }
    this.#early = rest;
    return mine;
  }

  #clearEarly(): void {
    this.#early = [];
  }
}
