import type { ArrayType } from '../types.ts';
import type { Convert } from './convert.ts';
import { attach, detach, type Node, type Tracker } from './Tracker.ts';

/**
 * A server-side list. Any change marks the whole list: its patch re-sends the item list, naming the
 * items that are structs, maps or arrays by reference (so reorders are cheap and cannot desync).
 */
export class StateArray<V, I = V> implements Node, Iterable<V> {
  readonly $type: ArrayType;
  $ref = -1;
  $tracker: Tracker | null = null;
  $parent: Node | null = null;
  $owner: Node | null = null;
  $key: string | number | undefined = undefined;
  $born = -1;
  $queued = false;
  $viewed = false;
  $segs: number[] | null = null;
  readonly $a: V[] = [];
  readonly #convert: Convert;
  readonly #container: boolean;

  constructor(type: ArrayType, convert: Convert) {
    this.$type = type;
    this.#convert = convert;
    this.#container = type.item.kind !== 'primitive';
  }

  get length(): number {
    return this.$a.length;
  }

  at(i: number): V | undefined {
    return this.$a.at(i);
  }

  get(i: number): V | undefined {
    return this.$a[i];
  }

  /** Replaces item `i` (0 ≤ i ≤ length). */
  set(i: number, value: I | V): void {
    if (!Number.isInteger(i) || i < 0 || i > this.$a.length) throw new RangeError(`index ${i} outside 0..${this.$a.length}`);
    if (this.$a[i] === value) return;
    const v = this.#in(value);
    const old = this.$a[i];
    this.$a[i] = v;
    if (old !== undefined) this.#out([old]);
    this.#changed();
  }

  push(...items: (I | V)[]): number {
    for (const it of items) this.$a.push(this.#in(it));
    if (items.length > 0) this.#changed();
    return this.$a.length;
  }

  pop(): V | undefined {
    if (this.$a.length === 0) return undefined;
    const v = this.$a.pop()!;
    this.#out([v]);
    this.#changed();
    return v;
  }

  shift(): V | undefined {
    if (this.$a.length === 0) return undefined;
    const v = this.$a.shift()!;
    this.#out([v]);
    this.#changed();
    return v;
  }

  unshift(...items: (I | V)[]): number {
    this.$a.unshift(...items.map((it) => this.#in(it)));
    if (items.length > 0) this.#changed();
    return this.$a.length;
  }

  splice(start: number, deleteCount = this.$a.length, ...items: (I | V)[]): V[] {
    const removed = this.$a.splice(start, deleteCount, ...items.map((it) => this.#in(it)));
    this.#out(removed);
    if (removed.length > 0 || items.length > 0) this.#changed();
    return removed;
  }

  /** Sorts in place (items keep their identity: a reorder costs one ref per item on the wire). */
  sort(compare?: (a: V, b: V) => number): this {
    this.$a.sort(compare);
    this.#changed();
    return this;
  }

  reverse(): this {
    this.$a.reverse();
    this.#changed();
    return this;
  }

  /** Moves item `from` to index `to`. */
  move(from: number, to: number): void {
    const [v] = this.$a.splice(from, 1);
    if (v === undefined) return;
    this.$a.splice(to, 0, v);
    this.#changed();
  }

  clear(): void {
    this.splice(0);
  }

  indexOf(v: V): number {
    return this.$a.indexOf(v);
  }

  forEach(fn: (v: V, i: number) => void): void {
    this.$a.forEach((v, i) => fn(v, i));
  }

  [Symbol.iterator](): ArrayIterator<V> {
    return this.$a.values();
  }

  toJSON(): V[] {
    return this.$a;
  }

  #in(value: I | V): V {
    const v = this.#convert(this.$type.item, value) as V;
    if (this.#container && this.$tracker !== null) attach(v as Node, this, this.$tracker);
    return v;
  }

  #out(items: V[]): void {
    if (this.#container) for (const v of items) detach(v as Node);
  }

  #changed(): void {
    this.$tracker?.queue(this);
  }

  *$children(): Iterable<Node> {
    if (this.#container) yield* this.$a as Iterable<Node>;
  }

  $clean(): void {}
}
