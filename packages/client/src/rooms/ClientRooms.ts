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
type JoinDefinition = MessageDefinition<{ roomId?: string; kind?: string; options?: RoomOptions; private?: boolean }, RoomJoined>;

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID;
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
  /** Joins in flight: while there are some, pushes for unknown rooms are held (a room's first pushes may overtake its join reply). */
  #joining = 0;
  readonly #early = new Map<string, Early[]>();
  #earlyCount = 0;

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
    client.on(RoomState, (message) => {
      if (!Array.isArray(message) || message.length !== 2) return;
      const [roomId, bytes] = message as unknown[];
      if (!isId(roomId) || !(bytes instanceof Uint8Array)) return;
      const entry = this.#rooms.get(roomId);
      if (entry !== undefined) entry.control.patch(bytes);
      else this.#hold(roomId, { push: false, bytes });
    });
    client.on(RoomLeft, (message) => {
      if (!isRecord(message) || !isId(message['roomId'])) return;
      const code = typeof message['code'] === 'string' ? message['code'].slice(0, MAX_ID) : 'LEFT';
      const text = typeof message['text'] === 'string' ? message['text'].slice(0, 1024) : '';
      this.#rooms.get(message['roomId'])?.control.left({ code, text });
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
    if (!isRecord(joined) || !isId(joined.roomId)) {
      if (this.#joining === 0) this.#clearEarly();
      throw new HearthError('BAD_REPLY', `${definition.name}: the reply names no room`);
    }
    const early = this.#early.get(joined.roomId) ?? [];
    this.#early.delete(joined.roomId);
    this.#earlyCount -= early.length;
    if (this.#joining === 0) this.#clearEarly();
    const known = this.#rooms.get(joined.roomId);
    if (known !== undefined) {
      // Joined again (the server answers a member's join again): its state as of this reply.
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
        },
        (c) => (control = c),
      );
    } catch (error) {
      // The server has the player in a room the client cannot mirror: leave it.
      void this.#client.request(RoomLeave, { roomId: joined.roomId }).catch(() => {});
      throw error;
    }
    this.#rooms.set(room.id, { room: room as unknown as ClientRoom, control: control! });
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

  #hold(roomId: string, message: Early): void {
    if (this.#joining === 0 || this.#earlyCount >= MAX_EARLY) return;
    let list = this.#early.get(roomId);
    if (list === undefined) this.#early.set(roomId, (list = []));
    list.push(message);
    this.#earlyCount++;
  }

  #clearEarly(): void {
    this.#early.clear();
    this.#earlyCount = 0;
  }
}
