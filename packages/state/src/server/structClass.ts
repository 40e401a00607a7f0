import { StateError, StateErrorCode } from '../errors.ts';
import type { StructType } from '../types.ts';
import type { Convert } from './convert.ts';
import { attach, detach, type Node, type Tracker } from './Tracker.ts';

/** A server-side struct instance: field values in `$v`, accessors on the prototype. */
export interface TrackedStruct extends Node {
  readonly $v: unknown[];
  /** Changed fields 0..30 as bits (a number, so marking is one `|=`). */
  $mask: number;
  /** Changed fields 31 and up. */
  $maskHi: number[] | null;
  /** Per field, its value at the last patch, kept for the `delta` fields changed since (null without any). */
  readonly $p: unknown[] | null;
}

type StructCtor = new (values: unknown[]) => TrackedStruct;
const classes = new WeakMap<StructType, StructCtor>();

/**
 * The class of `type`'s server instances: one accessor pair per field, defined once per declaration.
 * Why accessors on a prototype, not a Proxy: bench/run.ts "set x/y" measures the setter path, and V8
 * inlines prototype accessors where a Proxy trap stays a megamorphic call.
 */
export function structClass(type: StructType, convert: Convert): StructCtor {
  let C = classes.get(type);
  if (C !== undefined) return C;
  const hasDelta = type.types.some((t) => t.kind === 'primitive' && t.writeChange !== undefined);
  class Struct implements TrackedStruct {
    readonly $type = type;
    $ref = -1;
    $tracker: Tracker | null = null;
    $parent: Node | null = null;
    $owner: Node | null = null;
    $key: string | number | undefined = undefined;
    $born = -1;
    $queued = false;
    $viewed = false;
    $segs: number[] | null = null;
    $mask = 0;
    $maskHi: number[] | null = null;
    readonly $v: unknown[];
    readonly $p: unknown[] | null = hasDelta ? [] : null;
    constructor(values: unknown[]) {
      this.$v = values;
    }
    *$children(): Iterable<Node> {
      for (let i = 0; i < type.types.length; i++) if (type.types[i]!.kind !== 'primitive') yield this.$v[i] as Node;
    }
    $clean(): void {
      this.$mask = 0;
      this.$maskHi = null;
    }
    toJSON(): Record<string, unknown> {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < type.names.length; i++) o[type.names[i]!] = this.$v[i];
      return o;
    }
  }
  const mark = (s: TrackedStruct, i: number): void => {
    if (i < 31) s.$mask |= 1 << i;
    else (s.$maskHi ??= []).push(i);
    s.$tracker!.queue(s);
  };
  const marked = (s: TrackedStruct, i: number): boolean => (i < 31 ? (s.$mask & (1 << i)) !== 0 : s.$maskHi?.includes(i) === true);
  type.types.forEach((t, i) => {
    const name = type.names[i]!;
    if (t.kind === 'primitive' && t.writeChange !== undefined) {
      // A delta field: its first change since the last patch keeps the value the mirrors hold.
      const normalize = t.normalize;
      Object.defineProperty(Struct.prototype, name, {
        enumerable: true,
        get(this: TrackedStruct) {
          return this.$v[i];
        },
        set(this: TrackedStruct, v: unknown) {
          v = normalize(v);
          const old = this.$v[i];
          if (old === v) return;
          this.$v[i] = v;
          if (this.$tracker === null) return;
          if (!marked(this, i)) this.$p![i] = old;
          mark(this, i);
        },
      });
    } else if (t.kind === 'primitive') {
      const normalize = t.normalize;
      Object.defineProperty(Struct.prototype, name, {
        enumerable: true,
        get(this: TrackedStruct) {
          return this.$v[i];
        },
        set(this: TrackedStruct, v: unknown) {
          v = normalize(v);
          if (this.$v[i] === v) return;
          this.$v[i] = v;
          if (this.$tracker !== null) mark(this, i);
        },
      });
    } else {
      Object.defineProperty(Struct.prototype, name, {
        enumerable: true,
        get(this: TrackedStruct) {
          return this.$v[i];
        },
        set(this: TrackedStruct, v: unknown) {
          const old = this.$v[i] as Node;
          if (old === v) return;
          if (old.$viewed) throw new StateError(StateErrorCode.BAD_VALUE, `"${name}" is filtered by views and cannot be replaced; clear it instead`);
          const next = convert(t, v) as Node;
          this.$v[i] = next;
          if (this.$tracker !== null) {
            detach(old);
            attach(next, this, this.$tracker);
            mark(this, i);
          }
        },
      });
    }
  });
  C = Struct;
  classes.set(type, C);
  return C;
}
