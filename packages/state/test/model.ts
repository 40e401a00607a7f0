/** A rich declaration and a seeded random mutator for the property tests. */
import { array, boolean, delta, f32, f64, i16, i32, map, string, struct, svarint, u8, u16, u32, type Infer, type IntegerType } from '../src/index.ts';

export const Vec = struct({ x: f32, y: f32 });
export const Item = struct({ id: u16, label: string });
export const Entity = struct({
  pos: Vec,
  name: string,
  hp: delta(i16),
  flag: boolean,
  inv: array(Item),
  stats: map(string, i32),
  nums: array(u8),
});
const wideFields: Record<string, IntegerType> = {};
// f2 and f35 (a bit of the high mask) carry changes as deltas
for (let i = 0; i < 40; i++) wideFields[`f${i}`] = i === 2 || i === 35 ? delta(u8) : u8;
export const Wide = struct(wideFields);
export const World = struct({
  ents: map(string, Entity),
  tick: u32,
  cfg: struct({ mode: u8, title: string, big: f64 }),
  board: map(i32, svarint),
  list: array(Entity),
  wide: Wide,
});
export type World = Infer<typeof World>;

/** mulberry32: a tiny seeded PRNG (deterministic tests). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  readonly rnd: () => number;
  constructor(seed: number) {
    this.rnd = prng(seed);
  }
  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  str(): string {
    const alphabet = ['a', 'b', 'c', 'é', '火', '😀', 'Z', ' '];
    let s = '';
    for (let i = this.int(6); i > 0; i--) s += this.pick(alphabet);
    return s;
  }
  key(): string {
    return `k${this.int(12)}`;
  }
  entity(): unknown {
    return {
      pos: { x: this.rnd() * 100 - 50, y: this.int(100) },
      name: this.str(),
      hp: this.int(200) - 100,
      flag: this.rnd() < 0.5,
      inv: Array.from({ length: this.int(3) }, () => ({ id: this.int(1000), label: this.str() })),
      stats: new Map(Array.from({ length: this.int(3) }, () => [this.key(), this.int(1e6) - 5e5] as const)),
      nums: Array.from({ length: this.int(4) }, () => this.int(256)),
    };
  }
}

type E = Infer<typeof Entity>;

/** One random mutation of the world (the kinds the issue names: map deletes and re-adds, array reorders, nested structs). */
export function mutate(w: World, g: Gen): void {
  const keys = [...w.ents.keys()];
  const some = (): E | undefined => (keys.length === 0 ? undefined : w.ents.get(g.pick(keys)));
  switch (g.int(22)) {
    case 0:
    case 1:
      w.ents.set(g.key(), g.entity() as never);
      return;
    case 2:
      if (keys.length > 0) w.ents.delete(g.pick(keys));
      return;
    case 3: {
      // delete and re-add the same key in one tick
      const k = g.key();
      w.ents.delete(k);
      w.ents.set(k, g.entity() as never);
      return;
    }
    case 4:
    case 5: {
      const e = some();
      if (e) {
        e.pos.x = g.rnd() * 10;
        e.pos.y += 1;
      }
      return;
    }
    case 6: {
      const e = some();
      if (e) e.pos = { x: g.int(5), y: g.int(5) };
      return;
    }
    case 7: {
      const e = some();
      if (e) {
        e.name = g.str();
        e.hp = g.int(100);
        e.flag = !e.flag;
      }
      return;
    }
    case 8: {
      const e = some();
      if (!e) return;
      const op = g.int(7);
      if (op === 0) e.inv.push({ id: g.int(9), label: g.str() });
      else if (op === 1) e.inv.pop();
      else if (op === 2) e.inv.reverse();
      else if (op === 3 && e.inv.length > 1) e.inv.move(g.int(e.inv.length), g.int(e.inv.length));
      else if (op === 4 && e.inv.length > 0) e.inv.get(g.int(e.inv.length))!.label = g.str();
      else if (op === 5) e.inv.sort((a, b) => a.id - b.id);
      else e.inv.splice(g.int(e.inv.length + 1), g.int(2), { id: g.int(9), label: 'new' });
      return;
    }
    case 9: {
      const e = some();
      if (!e) return;
      if (g.rnd() < 0.6) e.stats.set(g.key(), g.int(1000) - 500);
      else {
        const ks = [...e.stats.keys()];
        if (ks.length) e.stats.delete(g.pick(ks));
      }
      return;
    }
    case 10: {
      const e = some();
      if (!e) return;
      if (g.rnd() < 0.5) e.nums.push(g.int(256));
      else if (e.nums.length) e.nums.set(g.int(e.nums.length), g.int(256));
      return;
    }
    case 11:
      w.tick++;
      return;
    case 12:
      if (g.rnd() < 0.5) w.cfg.mode = g.int(256);
      else w.cfg = { mode: g.int(256), title: g.str(), big: g.rnd() * 1e12 };
      return;
    case 13:
      if (g.rnd() < 0.7) w.board.set(g.int(20) - 10, g.int(1e9) - 5e8);
      else w.board.delete(g.int(20) - 10);
      return;
    case 14:
      w.list.push(g.entity() as never);
      return;
    case 15: {
      const op = g.int(4);
      if (op === 0) w.list.shift();
      else if (op === 1) w.list.reverse();
      else if (op === 2 && w.list.length) w.list.get(g.int(w.list.length))!.pos.x = g.int(100);
      else if (w.list.length) w.list.get(g.int(w.list.length))!.inv.push({ id: 1, label: 'l' });
      return;
    }
    case 16:
      (w.wide as Record<string, number>)[`f${g.int(40)}`] = g.int(256);
      return;
    case 17:
      if (g.rnd() < 0.1) w.ents.clear();
      return;
    case 18: {
      // set the same key twice in a tick, then touch the second value
      const k = g.key();
      w.ents.set(k, g.entity() as never);
      w.ents.set(k, g.entity() as never);
      w.ents.get(k)!.hp = 7;
      return;
    }
    case 19: {
      // a freshly added entity mutated in the same tick
      const k = g.key();
      w.ents.set(k, g.entity() as never);
      const e = w.ents.get(k)!;
      e.inv.push({ id: 3, label: 'x' });
      e.stats.set('fresh', 1);
      return;
    }
    case 20: {
      // set then delete a key that did not exist before the tick
      const k = `tmp${g.int(3)}`;
      w.ents.set(k, g.entity() as never);
      w.ents.delete(k);
      return;
    }
    default: {
      const e = some();
      if (e) e.inv = [{ id: g.int(5), label: 'r' }] as never;
      return;
    }
  }
}
