/**
 * A room with views by grid cell: `entities` moving entities in a square world (density fixed: 500 in
 * 1000×1000), `clients` of them played by a client each, cells of 100, every client seeing its 3×3 cells.
 * One tick = move everything, update the grid, encode once per view, give every client its patch
 * (and a view switch to the clients that changed cell).
 */
import { GridViews, StateEncoder, f32, map, string, struct, u16, varint, type View } from '../src/index.ts';

const Entity = struct({ x: f32, y: f32, name: string, score: u16 });
const World = struct({ entities: map(varint, Entity), tick: varint });

export interface TickTimes {
  /** encodeTick + every client's patch + view switches, ms. */
  encode: number;
  /** moving the entities (the game's own work), ms. */
  mutate: number;
  /** grid bookkeeping (place + move), ms. */
  grid: number;
  /** bytes sent per client per tick, mean. */
  bytesPerClient: number;
  views: number;
}

export function viewsRoom(entities: number, clients: number, seed = 1) {
  let a = seed;
  const rnd = (): number => {
    a = (a * 1103515245 + 12345) & 0x7fffffff;
    return a / 0x80000000;
  };
  const side = 1000 * Math.sqrt(entities / 500);
  const enc = new StateEncoder(World, { entities: new Map(), tick: 0 }, { views: ['entities'] });
  const grid = new GridViews(enc, 'entities', { cellSize: 100 });
  for (let i = 0; i < entities; i++) {
    const x = rnd() * side;
    const y = rnd() * side;
    enc.state.entities.set(i, { x, y, name: `entity ${i}`, score: 0 });
    grid.place(i, x, y);
  }
  const es = [...enc.state.entities.values()];
  const views: View[] = [];
  for (let c = 0; c < clients; c++) views.push(grid.join(es[c]!.x, es[c]!.y));
  enc.encodeTick();

  return function tick(): TickTimes {
    const t0 = performance.now();
    for (const e of es) {
      e.x = Math.min(side - 1, Math.max(0, e.x + (rnd() - 0.5) * 10));
      e.y = Math.min(side - 1, Math.max(0, e.y + (rnd() - 0.5) * 10));
      if (rnd() < 0.02) e.score++;
    }
    enc.state.tick++;
    const t1 = performance.now();
    for (let i = 0; i < es.length; i++) grid.place(i, es[i]!.x, es[i]!.y);
    const switching: [number, View][] = [];
    for (let c = 0; c < clients; c++) {
      const next = grid.move(views[c]!, es[c]!.x, es[c]!.y);
      if (next !== views[c]) switching.push([c, next]);
    }
    const t2 = performance.now();
    const t = enc.encodeTick();
    let bytes = 0;
    for (let c = 0; c < clients; c++) bytes += t.patch(views[c]).length;
    for (const [c, next] of switching) {
      bytes += enc.switchView(views[c], next).length;
      grid.leave(views[c]!);
      views[c] = next;
    }
    const t3 = performance.now();
    return { encode: t3 - t2, mutate: t1 - t0, grid: t2 - t1, bytesPerClient: bytes / clients, views: grid.viewCount };
  };
}
