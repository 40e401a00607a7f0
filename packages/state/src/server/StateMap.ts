import { normalizeKey, type MapType } from '../types.ts';
import type { Convert } from './convert.ts';
import { attach, detach, type Node, type Tracker } from './Tracker.ts';

/**
 * A server-side map: the `Map` API, with every write recorded for the next patch.
 * `set` takes a plain value (object, `Map`, array) and stores a tracked copy: read it back with `get`.
 */
export class StateMap<K extends string | number, V, I = V> implements Node, Iterable<[K, V]> {
  readonly $type: MapType;
  $ref = -1;
  $tracker: Tracker | null = null;
  $parent: Node | null = null;
  $owner: Node | null = null;
  $key: string | number | undefined = undefined;
  $born = -1;
  $queued = false;
  $viewed = false;
  $segs: number[] | null = null;
  /** Keys written since the last patch, each with whether it was present at the last patch. */
  $touched: Map<K, boolean> | null = null;
  readonly $m = new Map<K, V>();
  readonly #convert: Convert;
  readonly #container: boolean;

  constructor(type: MapType, convert: Convert) {
    this.$type = type;
    this.#convert = convert;
    this.#container = type.value.kind !== 'primitive';
  }

  get size(): number {
    return this.$m.size;
  }

  get(key: K): V | undefined {
    return this.$m.get(key);
  }

  has(key: K): boolean {
    return this.$m.has(key);
  }

  /** @throws StateError `STATE_BAD_VALUE` for a key or value that does not fit; `STATE_ATTACHED` for a node already in the tree. */
  set(key: K, value: I | V): this {
    const k = normalizeKey(this.$type.key, key) as K;
    const old = this.$m.get(k);
    if (old === value && old !== undefined) return this;
    const v = this.#convert(this.$type.value, value) as V;
    if (!this.#container && old === v) return this;
    const t = this.$tracker;
    if (t !== null) this.#touch(k, t);
    if (this.#container) {
      if (old !== undefined) detach(old as Node);
      (v as Node).$key = k;
      if (t !== null) attach(v as Node, this, t, k);
    }
    this.$m.set(k, v);
    return this;
  }

  delete(key: K): boolean {
    const old = this.$m.get(key);
    if (old === undefined) return false;
    const t = this.$tracker;
    if (t !== null) this.#touch(key, t);
    if (this.#container) detach(old as Node);
    this.$m.delete(key);
    return true;
  }

  clear(): void {
    for (const k of [...this.$m.keys()]) this.delete(k);
  }

  keys(): MapIterator<K> {
    return this.$m.keys();
  }

  values(): MapIterator<V> {
    return this.$m.values();
  }

  entries(): MapIterator<[K, V]> {
    return this.$m.entries();
  }

  forEach(fn: (value: V, key: K) => void): void {
    this.$m.forEach((v, k) => fn(v, k));
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.$m.entries();
  }

  toJSON(): Record<string, V> {
    return Object.fromEntries(this.$m);
  }

  #touch(k: K, t: Tracker): void {
    const touched = (this.$touched ??= new Map());
    if (!touched.has(k)) touched.set(k, this.$m.has(k));
    t.queue(this);
  }

  *$children(): Iterable<Node> {
    if (this.#container) yield* this.$m.values() as Iterable<Node>;
  }

  $clean(): void {
    this.$touched = null;
  }
}
