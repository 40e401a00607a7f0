import { describe, expect, it } from 'vitest';
import { GridViews, Mirror, StateEncoder, f32, map, snapshot, string, struct, u16, varint, type View } from '../src/index.ts';
import { prng } from './model.ts';

const Entity = struct({ x: f32, y: f32, name: string, score: u16 });
const World = struct({ entities: map(varint, Entity), tick: varint });
const canon = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x instanceof Map ? [...x].sort(([a], [b]) => a - b) : x));

describe('views by grid cell', () => {
  it('each client mirrors exactly the entities within one cell of its own, while everything moves', { timeout: 120_000 }, () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = prng(seed);
      const enc = new StateEncoder(World, { entities: new Map(), tick: 0 }, { views: ['entities'] });
      const grid = new GridViews(enc, 'entities', { cellSize: 10 });
      const pos = new Map<number, { x: number; y: number }>();
      const spawn = (i: number): void => {
        const p = { x: rnd() * 50, y: rnd() * 50 };
        enc.state.entities.set(i, { x: p.x, y: p.y, name: `e${i}`, score: 0 });
        pos.set(i, { x: enc.state.entities.get(i)!.x, y: enc.state.entities.get(i)!.y });
        grid.place(i, p.x, p.y);
      };
      for (let i = 0; i < 40; i++) spawn(i);
      enc.encodeTick();
      const clients = [0, 1, 2, 3, 4, 5].map((i) => {
        const view = grid.join(pos.get(i)!.x, pos.get(i)!.y);
        const mirror = new Mirror(World);
        return { i, view, mirror };
      });
      // joiners get the full state at the end of a tick (a new view is filled by its first patch)
      enc.encodeTick();
      for (const c of clients) c.mirror.apply(enc.full(c.view));
      let next = 40;
      for (let tick = 0; tick < 30; tick++) {
        for (const [i, e] of enc.state.entities) {
          e.x = Math.min(49.9, Math.max(0, e.x + (rnd() - 0.5) * 8));
          e.y = Math.min(49.9, Math.max(0, e.y + (rnd() - 0.5) * 8));
          if (rnd() < 0.1) e.score++;
          pos.set(i, { x: e.x, y: e.y });
          grid.place(i, e.x, e.y);
        }
        if (rnd() < 0.3) {
          const victim = 6 + Math.floor(rnd() * 34);
          if (enc.state.entities.delete(victim)) grid.remove(victim);
        }
        if (rnd() < 0.3) spawn(next++);
        enc.state.tick++;
        const moves: [(typeof clients)[number], View][] = [];
        for (const c of clients) {
          const p = pos.get(c.i)!;
          const v = grid.move(c.view, p.x, p.y);
          if (v !== c.view) moves.push([c, v]);
        }
        const t = enc.encodeTick();
        for (const c of clients) c.mirror.apply(t.patch(c.view));
        for (const [c, v] of moves) {
          c.mirror.apply(enc.switchView(c.view, v));
          grid.leave(c.view);
          c.view = v;
        }
        for (const c of clients) {
          const me = pos.get(c.i)!;
          const cx = Math.floor(me.x / 10);
          const cy = Math.floor(me.y / 10);
          const want = snapshot(World, enc.state) as { entities: Map<number, unknown> };
          want.entities = new Map(
            [...want.entities].filter(([k]) => {
              const p = pos.get(k)!;
              return Math.abs(Math.floor(p.x / 10) - cx) <= 1 && Math.abs(Math.floor(p.y / 10) - cy) <= 1;
            }),
          );
          expect(canon(c.mirror.state), `seed ${seed} tick ${tick} client ${c.i}`).toBe(canon(want));
        }
      }
      expect(grid.viewCount).toBeLessThanOrEqual(clients.length);
    }
  });

  it('clients of one view share one encoding; bytes follow what a client sees, not the world', () => {
    const enc = new StateEncoder(World, { entities: new Map(), tick: 0 }, { views: ['entities'] });
    const grid = new GridViews(enc, 'entities', { cellSize: 10, radius: 0 });
    for (let i = 0; i < 1000; i++) {
      enc.state.entities.set(i, { x: i % 100, y: 0, name: '', score: 0 });
      grid.place(i, i % 100, 0);
    }
    const a = grid.join(5, 0);
    const b = grid.join(6, 0);
    expect(a).toBe(b);
    enc.encodeTick();
    for (const e of enc.state.entities.values()) e.score++;
    const t = enc.encodeTick();
    expect(t.patch(a)).toBe(t.patch(b));
    // 100 of 1000 entities in cell 0: 1 header byte + 100 × (ref 2 B + mask 1 B + u16 2 B)
    expect(t.patch(a).length).toBeLessThanOrEqual(1 + 100 * 5);
    expect(t.patch().length).toBeGreaterThan(1000 * 4);
  });
});
