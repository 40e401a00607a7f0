import type { StateEncoder } from './StateEncoder.ts';
import type { View } from './View.ts';
import type { StructType } from '../types.ts';

export interface GridViewsOptions {
  /** Side of a square cell, in world units. */
  cellSize: number;
  /** Cells seen around a client's own cell: 1 is a 3×3 block. @defaultValue 1 */
  radius?: number;
}

const cellOf = (v: number, size: number): number => Math.floor(v / size);
const id = (cx: number, cy: number): number => (cx + 0x8000) * 0x10000 + (cy + 0x8000);

/**
 * Interest management by grid cell: entries of one viewed map are placed at positions; a client at
 * (x, y) holds the view of its cell, which sees every entry within `radius` cells. Clients in the same
 * cell share one view (one encoding per tick); moving an entry updates only the views around it.
 * @example
 * const grid = new GridViews(enc, 'players', { cellSize: 100 });
 * grid.place(id, p.x, p.y);               // every tick, for every entry that moved
 * let view = grid.join(p.x, p.y);         // a client; see move() for a client changing cell
 */
export class GridViews {
  readonly #enc: StateEncoder<StructType>;
  readonly #field: string;
  readonly #size: number;
  readonly #radius: number;
  readonly #cells = new Map<number, Set<string | number>>();
  readonly #where = new Map<string | number, number>();
  readonly #views = new Map<number, { view: View; users: number; cx: number; cy: number }>();
  readonly #cellOfView = new Map<View, number>();

  constructor(enc: StateEncoder<StructType>, field: string, options: GridViewsOptions) {
    this.#enc = enc;
    this.#field = field;
    this.#size = options.cellSize;
    this.#radius = options.radius ?? 1;
  }

  /** Puts (or moves) entry `key` at (x, y). */
  place(key: string | number, x: number, y: number): void {
    const cx = cellOf(x, this.#size);
    const cy = cellOf(y, this.#size);
    const c = id(cx, cy);
    const old = this.#where.get(key);
    if (old === c) return;
    if (old !== undefined) this.#cells.get(old)!.delete(key);
    let set = this.#cells.get(c);
    if (set === undefined) this.#cells.set(c, (set = new Set()));
    set.add(key);
    this.#where.set(key, c);
    const r = this.#radius;
    const ox = old === undefined ? Number.NaN : Math.floor(old / 0x10000) - 0x8000;
    const oy = old === undefined ? Number.NaN : (old % 0x10000) - 0x8000;
    const near = (ax: number, ay: number, bx: number, by: number): boolean => Math.abs(ax - bx) <= r && Math.abs(ay - by) <= r;
    if (old !== undefined) {
      for (let dx = -r; dx <= r; dx++) {
        for (let dy = -r; dy <= r; dy++) {
          const v = this.#views.get(id(ox + dx, oy + dy));
          if (v !== undefined && !near(v.cx, v.cy, cx, cy)) v.view.delete(this.#field, key);
        }
      }
    }
    for (let dx = -r; dx <= r; dx++) {
      for (let dy = -r; dy <= r; dy++) {
        const v = this.#views.get(id(cx + dx, cy + dy));
        if (v !== undefined && (old === undefined || !near(v.cx, v.cy, ox, oy))) v.view.add(this.#field, key);
      }
    }
  }

  /** Removes entry `key` from the grid (and so from every view). */
  remove(key: string | number): void {
    const c = this.#where.get(key);
    if (c === undefined) return;
    this.#where.delete(key);
    this.#cells.get(c)!.delete(key);
    for (const v of this.#views.values()) v.view.delete(this.#field, key);
  }

  /** The view of a client at (x, y) (shared with every client of that cell). */
  join(x: number, y: number): View {
    const cx = cellOf(x, this.#size);
    const cy = cellOf(y, this.#size);
    const c = id(cx, cy);
    let v = this.#views.get(c);
    if (v === undefined) {
      const view = this.#enc.createView();
      const r = this.#radius;
      for (let dx = -r; dx <= r; dx++) {
        for (let dy = -r; dy <= r; dy++) {
          const keys = this.#cells.get(id(cx + dx, cy + dy));
          if (keys !== undefined) for (const k of keys) view.add(this.#field, k);
        }
      }
      v = { view, users: 0, cx, cy };
      this.#views.set(c, v);
      this.#cellOfView.set(view, c);
    }
    v.users++;
    return v.view;
  }

  /** A client leaves `view`; the view is disposed with its last client. */
  leave(view: View): void {
    const c = this.#cellOfView.get(view);
    if (c === undefined) return;
    const v = this.#views.get(c)!;
    if (--v.users > 0) return;
    this.#views.delete(c);
    this.#cellOfView.delete(view);
    view.dispose();
  }

  /**
   * The view for a client that moved to (x, y): `view` itself while it stays in its cell, else the view
   * of its new cell. Keep sending `view`'s patch for this tick, then `enc.switchView(view, next)`, then
   * `leave(view)` — so the client never misses a change on the way.
   */
  move(view: View, x: number, y: number): View {
    const c = this.#cellOfView.get(view);
    if (c === id(cellOf(x, this.#size), cellOf(y, this.#size))) return view;
    return this.join(x, y);
  }

  /** Number of live views (distinct cells with clients). */
  get viewCount(): number {
    return this.#views.size;
  }
}
