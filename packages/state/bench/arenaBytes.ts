/**
 * Arena's state stream per client, before and after state sync, in one room of 16 players at 20 Hz
 * over the secure protocol (TCP frame 4 B + secretbox tag 16 B per body; one body per tick per client):
 *
 * - before: apps/server's hand-made `arena.snapshot` push (type 102, `{ tick, moved: [pid, x, y, …] }`,
 *   msgpack) on every tick in which someone moved;
 * - after: a push of type 114 carrying the room's state patch as `bin` (players { name, x, y, score }
 *   by pid), on every tick in which something changed.
 *
 * Players move like apps/bot-client's `play` scenario (a step every 250 ms at 0.6 × maxSpeed 200,
 * integer positions on 0..1000) and score now and then (a tag every ~2 s per player). Tags and
 * joins travel as their own events in both cases and are left out; the score inside the state is
 * counted in "after" (it replaces nothing). Deterministic (seeded), no sockets: these are the bytes
 * the server would write.
 */
import { encode as msgpack } from '@msgpack/msgpack';
import { StateEncoder, map, i32, string, struct, u16 } from '../src/index.ts';

const PLAYERS = 16;
const HZ = 20;
const SECONDS = 60;
const FRAME = 4 + 16;

export interface ArenaBytes {
  beforeBytesPerClientPerSecond: number;
  afterBytesPerClientPerSecond: number;
  ratio: number;
}

export function arenaBytes(seed = 7): ArenaBytes {
  let a = seed;
  const rnd = (): number => {
    a = (a * 1103515245 + 12345) & 0x7fffffff;
    return a / 0x80000000;
  };
  const Player = struct({ name: string, x: u16, y: u16, score: u16 });
  const ArenaState = struct({ players: map(i32, Player) });
  const pids = Array.from({ length: PLAYERS }, (_, i) => 1200 + i);
  const enc = new StateEncoder(ArenaState, { players: pids.map((pid) => [pid, { name: `bot-${pid}`, x: Math.floor(rnd() * 1000), y: Math.floor(rnd() * 1000), score: 0 }] as const) });
  const players = pids.map((pid) => enc.state.players.get(pid)!);
  const nextMove = pids.map(() => rnd() * 250);
  let before = 0;
  let after = 0;
  const ticks = SECONDS * HZ;
  for (let tick = 1; tick <= ticks; tick++) {
    const now = tick * (1000 / HZ);
    const moved: number[] = [];
    players.forEach((p, i) => {
      if (now >= nextMove[i]!) {
        nextMove[i]! += 250;
        const angle = rnd() * 2 * Math.PI;
        const step = 0.6 * 200 * 0.25;
        p.x = Math.max(0, Math.min(1000, Math.round(p.x + Math.cos(angle) * step)));
        p.y = Math.max(0, Math.min(1000, Math.round(p.y + Math.sin(angle) * step)));
        moved.push(pids[i]!, p.x, p.y);
      }
      if (rnd() < 1 / (2 * HZ)) p.score++;
    });
    // The server's tick counter is the room's age: a room of a long run is past 65 535 ticks (54 min).
    if (moved.length > 0) before += FRAME + msgpack([0, 102, { tick: 100_000 + tick, moved }]).length;
    const patch = enc.encode();
    if (patch.length > 1) after += FRAME + msgpack([0, 114, patch]).length;
  }
  const b = Math.round(before / SECONDS);
  const f = Math.round(after / SECONDS);
  return { beforeBytesPerClientPerSecond: b, afterBytesPerClientPerSecond: f, ratio: Math.round((f / b) * 100) / 100 };
}
