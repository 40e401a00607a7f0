import { StateError, StateErrorCode } from '../errors.ts';
import type { ArrayType, MapType, StateType, StructType } from '../types.ts';
import { StateArray } from './StateArray.ts';
import { StateMap } from './StateMap.ts';
import { structClass } from './structClass.ts';
import { isNode, type Node } from './Tracker.ts';

/** Converts a value for a slot of `type`: primitives normalized, containers as detached tracked nodes. */
export type Convert = (type: StateType, v: unknown) => unknown;

/**
 * A plain value (object, Map, entry list, iterable) or a detached tracked node of the right type, as a
 * detached tracked node; a primitive, normalized.
 * @throws StateError `STATE_ATTACHED` for a node already in a state tree (delete it first, or pass a plain copy).
 */
export const convert: Convert = (type, v) => {
  if (type.kind === 'primitive') return type.normalize(v);
  if (isNode(v)) {
    if (v.$type !== type) throw new StateError(StateErrorCode.BAD_VALUE, `a ${v.$type.kind} of another declaration cannot go where a ${type.kind} is declared`);
    if (v.$tracker !== null) {
      throw new StateError(StateErrorCode.ATTACHED, `this ${type.kind} is already in a state tree; delete it from its place first, or pass a plain copy`);
    }
    return v;
  }
  if (typeof v !== 'object' || v === null) throw new StateError(StateErrorCode.BAD_VALUE, `${String(v)} is not a ${type.kind}`);
  switch (type.kind) {
    case 'struct':
      return createStruct(type, v as Record<string, unknown>);
    case 'map':
      return createMap(type, v);
    case 'array':
      return createArray(type, v);
  }
};

function createStruct(type: StructType, v: Record<string, unknown>): Node {
  const Ctor = structClass(type, convert);
  const values = new Array<unknown>(type.names.length);
  for (let i = 0; i < type.names.length; i++) {
    const t = type.types[i]!;
    const name = type.names[i]!;
    const field = v[name];
    if (field === undefined) {
      values[i] = t.kind === 'primitive' ? t.zero : convert(t, t.kind === 'struct' ? {} : []);
    } else values[i] = convert(t, field);
  }
  return new Ctor(values);
}

function createMap(type: MapType, v: object): Node {
  const m = new StateMap(type, convert);
  const entries = Symbol.iterator in v ? (v as Iterable<readonly [unknown, unknown]>) : Object.entries(v);
  for (const [k, val] of entries) m.set(k as never, val as never);
  return m;
}

function createArray(type: ArrayType, v: object): Node {
  if (!(Symbol.iterator in v)) throw new StateError(StateErrorCode.BAD_VALUE, 'an array value must be iterable');
  const a = new StateArray(type, convert);
  a.push(...(v as Iterable<never>));
  return a;
}
