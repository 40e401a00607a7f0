import { StateError, StateErrorCode } from '../errors.ts';
import type { ArrayType, ContainerType, MapType, StateType, StructType } from '../types.ts';
import type { ByteReader } from '../wire/ByteReader.ts';
import { MAP_DELETE, MAP_SET } from '../wire/format.ts';
import type { Listeners, MirrorEvent } from './listeners.ts';

/** A mirrored container: its declared type, its object, the ref of its parent (-1 for the root). */
export interface MirrorNode {
  readonly type: ContainerType;
  readonly value: object;
  readonly parent: number;
}

export interface DecodeLimits {
  maxStringBytes: number;
  maxCount: number;
}

const malformed = (msg: string): StateError => new StateError(StateErrorCode.MALFORMED, msg);

/**
 * Applies full values and change entries to a mirror's objects, logging an undo step for every
 * mutation so that a patch that fails half-way is rolled back (the mirror is never left half-patched).
 */
export class Decoder {
  readonly nodes: Map<number, MirrorNode>;
  readonly refOf: WeakMap<object, number>;
  readonly undo: (() => void)[] = [];
  readonly events: MirrorEvent[] = [];
  readonly #r: ByteReader;
  readonly #limits: DecodeLimits;
  readonly #listeners: WeakMap<object, Listeners>;

  constructor(r: ByteReader, nodes: Map<number, MirrorNode>, refOf: WeakMap<object, number>, limits: DecodeLimits, listeners: WeakMap<object, Listeners>) {
    this.#r = r;
    this.nodes = nodes;
    this.refOf = refOf;
    this.#limits = limits;
    this.#listeners = listeners;
  }

  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]!();
    this.undo.length = 0;
    this.events.length = 0;
  }

  /** A full value: a primitive, or varint ref + body (registered under its ref). */
  value(type: StateType, parent: number): unknown {
    if (type.kind === 'primitive') return type.read(this.#r, this.#limits.maxStringBytes);
    const ref = this.#r.varint();
    return this.body(type, ref, parent);
  }

  /** A container's body in full, registered under `ref`. */
  body(type: ContainerType, ref: number, parent: number): object {
    const r = this.#r;
    let obj: object;
    switch (type.kind) {
      case 'struct': {
        const o: Record<string, unknown> = {};
        for (let i = 0; i < type.names.length; i++) o[type.names[i]!] = this.value(type.types[i]!, ref);
        obj = o;
        break;
      }
      case 'map': {
        const m = new Map<unknown, unknown>();
        const n = r.count(this.#limits.maxCount);
        for (let i = 0; i < n; i++) {
          const k = this.#key(type);
          if (m.has(k)) throw malformed(`duplicate key ${String(k)} in a full map`);
          m.set(k, this.value(type.value, ref));
        }
        obj = m;
        break;
      }
      case 'array': {
        const a: unknown[] = [];
        this.#items(type, a, ref, true);
        obj = a;
        break;
      }
    }
    this.#register(ref, { type, value: obj, parent });
    return obj;
  }

  /** One change entry of a patch: varint ref, then the change of that container. */
  change(): void {
    const ref = this.#r.varint();
    const node = this.nodes.get(ref);
    if (node === undefined) throw malformed(`change to unknown ref ${ref}`);
    const type = node.type;
    if (type.kind === 'struct') this.#structChange(type, node.value as Record<string, unknown>, ref);
    else if (type.kind === 'map') this.mapChange(type, node.value as Map<unknown, unknown>, ref);
    else this.#arrayChange(type, node.value as unknown[], ref);
  }

  #structChange(type: StructType, o: Record<string, unknown>, ref: number): void {
    const r = this.#r;
    const nb = type.maskBytes;
    r.need(nb);
    const start = r.pos;
    r.pos += nb;
    const n = type.names.length;
    let any = 0;
    for (let b = 0; b < nb; b++) any |= r.buf[start + b]!;
    if (any === 0) throw malformed(`empty change mask for ref ${ref}`);
    if (n % 8 !== 0 && r.buf[start + nb - 1]! >> n % 8 !== 0) throw malformed(`change mask of ref ${ref} names a field beyond ${n}`);
    for (let i = 0; i < n; i++) {
      if ((r.buf[start + (i >> 3)]! & (1 << (i & 7))) === 0) continue;
      const t = type.types[i]!;
      const name = type.names[i]!;
      const previous = o[name];
      const v = t.kind === 'primitive' && t.readChange !== undefined ? t.readChange(this.#r, previous) : this.value(t, ref);
      if (t.kind !== 'primitive') this.drop(t, previous as object);
      o[name] = v;
      this.undo.push(() => {
        o[name] = previous;
      });
      this.#emit(o, { kind: 'field', target: o, field: name, value: v, previous });
    }
  }

  /** Map change: varint op count (≥ 1), then set/delete ops. */
  mapChange(type: MapType, m: Map<unknown, unknown>, ref: number): void {
    const r = this.#r;
    const n = r.count(this.#limits.maxCount);
    if (n === 0) throw malformed(`map change of ref ${ref} has no op`);
    for (let i = 0; i < n; i++) {
      const op = r.u8();
      const k = this.#key(type);
      const had = m.has(k);
      const previous = m.get(k);
      if (op === MAP_SET) {
        const v = this.value(type.value, ref);
        if (had && type.value.kind !== 'primitive') this.drop(type.value, previous as object);
        m.set(k, v);
        this.#emit(m, had ? { kind: 'mapChange', target: m, key: k, value: v, previous } : { kind: 'add', target: m, key: k, value: v });
      } else if (op === MAP_DELETE) {
        if (!had) throw malformed(`delete of absent key ${String(k)} in ref ${ref}`);
        if (type.value.kind !== 'primitive') this.drop(type.value, previous as object);
        m.delete(k);
        this.#emit(m, { kind: 'remove', target: m, key: k, value: previous });
      } else throw malformed(`map op ${op} in ref ${ref}`);
      this.undo.push(() => {
        if (had) m.set(k, previous);
        else m.delete(k);
      });
    }
  }

  #arrayChange(type: ArrayType, a: unknown[], ref: number): void {
    const before = a.slice();
    this.#items(type, a, ref, false);
    if (type.item.kind !== 'primitive') {
      const kept = new Set(a);
      for (const v of before) if (!kept.has(v)) this.drop(type.item, v as object);
    }
    this.undo.push(() => {
      a.length = 0;
      a.push(...before);
    });
    this.#emit(a, { kind: 'array', target: a });
  }

  /** Item list into `a` (replacing its contents): container items new (ref·2+1, body) or kept (ref·2, an item of this array). */
  #items(type: ArrayType, a: unknown[], ref: number, full: boolean): void {
    const r = this.#r;
    const n = r.count(this.#limits.maxCount);
    const t = type.item;
    const next: unknown[] = [];
    if (t.kind === 'primitive') {
      for (let i = 0; i < n; i++) next.push(t.read(r, this.#limits.maxStringBytes));
    } else {
      const used = new Set<number>();
      for (let i = 0; i < n; i++) {
        const h = r.varint();
        const itemRef = Math.floor(h / 2);
        if (h % 2 === 1) next.push(this.body(t, itemRef, ref));
        else {
          const node = this.nodes.get(itemRef);
          if (full || node === undefined || node.parent !== ref || used.has(itemRef)) throw malformed(`array ref ${ref} keeps ref ${itemRef}, not one of its items`);
          used.add(itemRef);
          next.push(node.value);
        }
      }
    }
    a.length = 0;
    for (const v of next) a.push(v);
  }

  #key(type: MapType): string | number {
    return type.key === 'string' ? this.#r.string(this.#limits.maxStringBytes) : this.#r.svarint();
  }

  #register(ref: number, node: MirrorNode): void {
    if (this.nodes.has(ref)) throw malformed(`ref ${ref} is already in use`);
    this.nodes.set(ref, node);
    this.refOf.set(node.value, ref);
    this.undo.push(() => {
      this.nodes.delete(ref);
    });
  }

  /** Unregisters the refs of a removed subtree. */
  drop(type: StateType, value: object): void {
    if (type.kind === 'primitive') return;
    const ref = this.refOf.get(value);
    if (ref !== undefined && this.nodes.get(ref)?.value === value) {
      const node = this.nodes.get(ref)!;
      this.nodes.delete(ref);
      this.undo.push(() => {
        this.nodes.set(ref, node);
      });
    }
    if (type.kind === 'struct') {
      const o = value as Record<string, unknown>;
      for (let i = 0; i < type.names.length; i++) {
        const t = type.types[i]!;
        if (t.kind !== 'primitive') this.drop(t, o[type.names[i]!] as object);
      }
    } else if (type.kind === 'map') {
      if (type.value.kind !== 'primitive') for (const v of (value as Map<unknown, object>).values()) this.drop(type.value, v);
    } else if (type.item.kind !== 'primitive') for (const v of value as object[]) this.drop(type.item, v);
  }

  #emit(target: object, e: MirrorEvent): void {
    if (this.#listeners.has(target)) this.events.push(e);
  }
}
