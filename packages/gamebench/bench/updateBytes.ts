/**
 * Bytes of one state update per client, counted in-process (no sockets, so the machine's load does
 * not move them): the game bench's game on Arena's state (apps/server `ArenaState`) and on the
 * Colyseus room of colyseusServer.ts (`MapSchema<{ x, y: uint16 }>`, its own encoder), the same
 * moves. 16 players each move (±7, ±3) every 100 ms (phases spread over the 100 ms, as the drivers
 * pace them), the state goes out at 20 Hz, for 60 s. Hearth's wire bytes per update: the TCP frame
 * header (4 B) + the `room.state` push `[0, 17, [room, patch]]`; Colyseus's: the WebSocket frame
 * header (2 B below 126 B) + its ROOM_STATE_PATCH byte + the patch. Variants: Arena's state with
 * `u16` or `delta(u16)` positions, the push naming the room by its 12-character id (before refs)
 * or by the member's ref (today).
 *
 *   node --import tsx --conditions=@hearth/source bench/updateBytes.ts
 */
import { Encoder, schema, type MapSchema } from '@colyseus/schema';
import { Kind, RoomState, encodeMessage } from '@hearth/protocol';
import { StateEncoder, delta, i32, map, string, struct, u16, type IntegerType } from '@hearth/state';

const PLAYERS = 16;
const HZ = 20;
const SECONDS = 60;
const MOVE_MS = 100;
const TCP_FRAME = 4;
const WS_FRAME = 2;
/** A room id as the cluster's `newRoomId()` makes them (12 characters). */
const ROOM_ID = 'Ab3dEf6hIj9k';

interface Walker {
  x: number;
  y: number;
  dx: number;
  dy: number;
  next: number;
}

function walkers(): Walker[] {
  return Array.from({ length: PLAYERS }, (_, i) => ({
    x: 100 + ((i * 53) % 800),
    y: 100 + ((i * 97) % 800),
    dx: i % 2 === 0 ? -7 : 7,
    dy: i % 3 === 0 ? -3 : 3,
    next: (i * MOVE_MS) / PLAYERS,
  }));
}

/** Moves every walker due by `now` (gamebench Player.step: bounces off the plane's edges). */
function walk(ws: Walker[], now: number, moved: (i: number, w: Walker) => void): void {
  ws.forEach((w, i) => {
    while (w.next <= now) {
      w.next += MOVE_MS;
      if (w.x + w.dx < 0 || w.x + w.dx > 1000) w.dx = -w.dx;
      if (w.y + w.dy < 0 || w.y + w.dy > 1000) w.dy = -w.dy;
      w.x += w.dx;
      w.y += w.dy;
      moved(i, w);
    }
  });
}

interface Result {
  wireBytesPerUpdate: number;
  patchBytesPerUpdate: number;
  wireBytesPerClientSec: number;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

function hearth(position: IntegerType, byRef: boolean): Result {
  const Player = struct({ user: string, name: string, x: position, y: position, score: u16 });
  const ws = walkers();
  const enc = new StateEncoder(struct({ players: map(i32, Player) }), {
    players: ws.map((w, i) => [i + 1, { user: `gb-${i}`, name: `gb-${i}`, x: w.x, y: w.y, score: 0 }] as const),
  });
  let wire = 0;
  let patches = 0;
  const ticks = SECONDS * HZ;
  for (let t = 1; t <= ticks; t++) {
    walk(ws, (t * 1000) / HZ, (i, w) => {
      const s = enc.state.players.get(i + 1)!;
      s.x = w.x;
      s.y = w.y;
    });
    const patch = enc.encode();
    // The member's ref for its one room is 0 (RoomRefs: the player rewrites the room's id to it).
    wire += TCP_FRAME + encodeMessage({ kind: Kind.PUSH, type: RoomState.type, payload: [byRef ? 0 : ROOM_ID, patch] }).length;
    patches += patch.length;
  }
  return { wireBytesPerUpdate: round2(wire / ticks), patchBytesPerUpdate: round2(patches / ticks), wireBytesPerClientSec: Math.round(wire / SECONDS) };
}

function colyseus(): Result {
  const PlayerState = schema({ x: 'uint16', y: 'uint16' }, 'PlayerState');
  const GameState = schema({ players: { map: PlayerState } }, 'GameState');
  const state = new GameState() as InstanceType<typeof GameState> & { players: MapSchema<InstanceType<typeof PlayerState>> };
  const ws = walkers();
  const id = (i: number): string => `session${String(i).padStart(2, '0')}`; // Colyseus session ids are 9 characters
  ws.forEach((w, i) => state.players.set(id(i), new PlayerState({ x: w.x, y: w.y })));
  const encoder = new Encoder(state);
  encoder.encodeAll();
  encoder.discardChanges();
  let wire = 0;
  let patches = 0;
  let updates = 0;
  for (let t = 1; t <= SECONDS * HZ; t++) {
    walk(ws, (t * 1000) / HZ, (i, w) => {
      const p = state.players.get(id(i))!;
      p.x = w.x;
      p.y = w.y;
    });
    if (!encoder.hasChanges) continue;
    const bytes = encoder.encode({ offset: 1 }); // byte 0 is Protocol.ROOM_STATE_PATCH (SchemaSerializer.applyPatches)
    encoder.discardChanges();
    wire += WS_FRAME + bytes.length;
    patches += bytes.length - 1;
    updates++;
  }
  return { wireBytesPerUpdate: round2(wire / updates), patchBytesPerUpdate: round2(patches / updates), wireBytesPerClientSec: Math.round(wire / SECONDS) };
}

const c = colyseus();
const rows: Record<string, Result & { ofColyseus?: number }> = {
  'colyseus-ws': c,
  'hearth u16, room id (before)': hearth(u16, false),
  'hearth u16, ref': hearth(u16, true),
  'hearth delta(u16), room id': hearth(delta(u16), false),
  'hearth delta(u16), ref (today)': hearth(delta(u16), true),
};
for (const r of Object.values(rows)) if (r !== c) r.ofColyseus = round2(r.wireBytesPerClientSec / c.wireBytesPerClientSec);
console.log(JSON.stringify(rows, null, 2));
