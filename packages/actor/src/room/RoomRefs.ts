import { RoomState, type RoomJoined, type RoomStatePatch } from '@hearth/protocol';

/** Rooms a player's table remembers at most (8 times the default room limit per player): the least recently used is forgotten past it. */
export const MAX_ROOM_REFS = 64;

const textEncoder = new TextEncoder();

/** One room of the table: its id (as text and as the UTF-8 bytes the encoded id has) and its ref. */
interface Entry {
  readonly roomId: string;
  readonly idBytes: Uint8Array;
  readonly ref: number;
  /** When its last patch went through (the table's own counter): the least recent is forgotten first. */
  used: number;
}

// The last rewrite, shared by every player: a group broadcast hands the same bytes to each member
// in turn, and members of one room mostly have the same ref (0 for a player in one room), so one
// copy serves them all (bench: gamebench hearth-tcp-plain, 16 members per room).
let lastSource: Uint8Array | undefined;
let lastRef = -1;
let lastOut: Uint8Array | undefined;

/**
 * A player's numbers for its rooms: `room.state` pushes carry the member's `ref`, a small uint, not
 * the 12-character room id (12 bytes less per patch per member). A room broadcasts its patch once,
 * with its id (`[0, 17, [roomId, bytes]]`, the same bytes for every member on every node); the
 * member's player rewrites the id to its ref as the bytes go to its session ({@link rewrite}), and
 * the join reply tells the client the ref ({@link of}). Refs count up from 0 and are never reused
 * by this player (a late patch of a room left cannot reach another room's mirror); a client learns
 * them again after a reconnect (a resumed player may be a new actor on another node). @internal
 */
export class RoomRefs {
  readonly #entries: Entry[] = [];
  #next = 0;
  #clock = 0;
  /** The entry the last lookup found: a player's patches mostly come from one room. */
  #last: Entry | undefined;

  /** The ref of `roomId` for this player (a new one on first use). */
  of(roomId: string): number {
    for (const e of this.#entries) {
      if (e.roomId === roomId) {
        e.used = ++this.#clock;
        return e.ref;
      }
    }
    return this.#add(roomId, textEncoder.encode(roomId)).ref;
  }

  /**
   * `bytes` (one encoded message) with a `room.state`'s room id replaced by this player's ref for
   * the room; `bytes` itself for any other message. The result may be shared: read it only.
   */
  rewrite(bytes: Uint8Array): Uint8Array {
    // [0, 17, [roomId, bin]]: fixarray 3, push, type 17, fixarray 2, then fixstr or str 8 (ids ≤ 64 characters).
    if (bytes[2] !== RoomState.type || bytes[0] !== 0x93 || bytes[1] !== 0x00 || bytes[3] !== 0x92 || bytes.length < 6) return bytes;
    const h = bytes[4]!;
    let start: number;
    let len: number;
    if ((h & 0xe0) === 0xa0) {
      start = 5;
      len = h & 0x1f;
    } else if (h === 0xd9) {
      start = 6;
      len = bytes[5]!;
    } else return bytes;
    const end = start + len;
    if (len === 0 || end > bytes.length) return bytes;
    const entry = this.#find(bytes, start, len);
    entry.used = ++this.#clock;
    const ref = entry.ref;
    if (bytes === lastSource && ref === lastRef) return lastOut!;
    const head = ref < 0x80 ? 1 : ref < 0x100 ? 2 : ref < 0x10000 ? 3 : 5;
    const out = new Uint8Array(4 + head + bytes.length - end);
    out[0] = 0x93;
    out[1] = 0x00;
    out[2] = RoomState.type;
    out[3] = 0x92;
    writeUint(out, 4, ref);
    out.set(bytes.subarray(end), 4 + head);
    lastSource = bytes;
    lastRef = ref;
    lastOut = out;
    return out;
  }

  /** A `room.state` payload addressed by room id, addressed by this player's ref (other payloads as they are). */
  payload(payload: unknown): unknown {
    if (!Array.isArray(payload) || payload.length !== 2 || typeof payload[0] !== 'string') return payload;
    return [this.of(payload[0]), payload[1]];
  }

  #find(bytes: Uint8Array, start: number, len: number): Entry {
    const last = this.#last;
    if (last !== undefined && same(last.idBytes, bytes, start, len)) return last;
    for (const e of this.#entries) {
      if (same(e.idBytes, bytes, start, len)) return (this.#last = e);
    }
    const idBytes = bytes.slice(start, start + len);
    return (this.#last = this.#add(new TextDecoder().decode(idBytes), idBytes));
  }

  #add(roomId: string, idBytes: Uint8Array): Entry {
    const entry: Entry = { roomId, idBytes, ref: this.#next++, used: ++this.#clock };
    const entries = this.#entries;
    entries.push(entry);
    if (entries.length > MAX_ROOM_REFS) {
      // The room whose patches stopped longest ago (one the player left, with a player in at most
      // its room limit at once): were it still in use, its next patch would get a new ref the client
      // does not know, and the room would wait for the client's next resync.
      let lru = 0;
      for (let i = 1; i < entries.length; i++) if (entries[i]!.used < entries[lru]!.used) lru = i;
      const [gone] = entries.splice(lru, 1);
      if (gone === this.#last) this.#last = undefined;
    }
    return entry;
  }
}

/**
 * A `room.state` payload as a room sends it, `[roomId, bytes]`: each member's player turns the id
 * into its ref for the room ({@link RoomRefs.rewrite}, {@link RoomRefs.payload}) before its session gets it.
 */
export function roomStateOf(roomId: string, bytes: Uint8Array): RoomStatePatch {
  return [roomId, bytes] as unknown as RoomStatePatch;
}

/** The room refs of a player (a `PlayerActor`'s; a player without any, such as a test double, gets a table of its own). */
export function roomRefsOf(player: object): RoomRefs {
  const own = (player as { roomRefs?: unknown }).roomRefs;
  if (own instanceof RoomRefs) return own;
  let refs = detached.get(player);
  if (refs === undefined) detached.set(player, (refs = new RoomRefs()));
  return refs;
}

const detached = new WeakMap<object, RoomRefs>();

/** A join's reply with the player's ref for the room (the client's key for its `room.state` pushes). */
export async function withRef(player: object, joined: Promise<RoomJoined>): Promise<RoomJoined> {
  const reply = await joined;
  return { ...reply, ref: roomRefsOf(player).of(reply.roomId) };
}

function same(id: Uint8Array, bytes: Uint8Array, start: number, len: number): boolean {
  if (id.length !== len) return false;
  for (let i = 0; i < len; i++) if (id[i] !== bytes[start + i]) return false;
  return true;
}

/** A msgpack uint: positive fixint, uint 8, uint 16 or uint 32. */
function writeUint(out: Uint8Array, at: number, n: number): void {
  if (n < 0x80) out[at] = n;
  else if (n < 0x100) {
    out[at] = 0xcc;
    out[at + 1] = n;
  } else if (n < 0x10000) {
    out[at] = 0xcd;
    out[at + 1] = n >>> 8;
    out[at + 2] = n & 0xff;
  } else {
    out[at] = 0xce;
    out[at + 1] = n >>> 24;
    out[at + 2] = (n >>> 16) & 0xff;
    out[at + 3] = (n >>> 8) & 0xff;
    out[at + 4] = n & 0xff;
  }
}
