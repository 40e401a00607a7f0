import { StateError, StateErrorCode } from './errors.ts';
import type { ByteReader } from './wire/ByteReader.ts';
import type { ByteWriter } from './wire/ByteWriter.ts';

/** A number, string or boolean with its wire encoding. */
export interface PrimitiveType<T = unknown, N extends string = string> {
  readonly kind: 'primitive';
  readonly name: N;
  /** The value the mirror starts with (and a struct field's default). */
  readonly zero: T;
  /** The value as stored (f32 rounded); throws `STATE_BAD_VALUE` when it does not fit. Uses no `this` (called detached). */
  readonly normalize: (v: unknown) => T;
  write(w: ByteWriter, v: T): void;
  read(r: ByteReader, maxStringBytes: number): T;
  /**
   * A {@link delta} type's struct-field change in a patch: `v` relative to `previous`, the value at the
   * last patch (absent: the change is `write(v)`, as in a full value).
   */
  writeChange?(w: ByteWriter, previous: T, v: T): void;
  /** Reads what `writeChange` wrote, given the mirror's value; throws `STATE_MALFORMED` for a result out of range. */
  readChange?(r: ByteReader, previous: T): T;
}

/** A fixed-width or LEB128 integer type, with its range. */
export interface IntegerType<N extends string = string> extends PrimitiveType<number, N> {
  readonly min: number;
  readonly max: number;
}

export type Fields = { readonly [name: string]: StateType };

/** A fixed set of named fields, in declaration order. */
export interface StructType<F extends Fields = Fields> {
  readonly kind: 'struct';
  readonly fields: F;
  /** Field names in declaration order (the wire order). */
  readonly names: readonly string[];
  readonly types: readonly StateType[];
  /** Bytes of a change mask: ceil(fields / 8). */
  readonly maskBytes: number;
}

export type KeyKind = 'string' | 'number';
export type KeyOf<K extends KeyKind> = K extends 'string' ? string : number;

/** Entries keyed by string or by a 32-bit signed integer. */
export interface MapType<K extends KeyKind = KeyKind, V extends StateType = StateType> {
  readonly kind: 'map';
  readonly key: K;
  readonly value: V;
}

/** An ordered list. */
export interface ArrayType<V extends StateType = StateType> {
  readonly kind: 'array';
  readonly item: V;
}

export type StateType = PrimitiveType | StructType | MapType | ArrayType;
export type ContainerType = StructType | MapType | ArrayType;

const bad = (type: string, v: unknown): StateError =>
  new StateError(StateErrorCode.BAD_VALUE, `${typeof v === 'string' ? JSON.stringify(v) : String(v)} is not a valid ${type}`);

function integer<N extends string>(
  name: N,
  min: number,
  max: number,
  write: (w: ByteWriter, v: number) => void,
  read: (r: ByteReader) => number,
): IntegerType<N> {
  return {
    kind: 'primitive',
    name,
    min,
    max,
    zero: 0,
    normalize(v) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(name, v);
      return v;
    },
    write,
    read,
  };
}

export const u8 = integer('u8', 0, 0xff, (w, v) => w.u8(v), (r) => r.u8());
export const u16 = integer('u16', 0, 0xffff, (w, v) => w.u16(v), (r) => r.u16());
export const u32 = integer('u32', 0, 0xffffffff, (w, v) => w.u32(v), (r) => r.u32());
export const i8 = integer('i8', -0x80, 0x7f, (w, v) => w.i8(v), (r) => r.i8());
export const i16 = integer('i16', -0x8000, 0x7fff, (w, v) => w.i16(v), (r) => r.i16());
export const i32 = integer('i32', -0x80000000, 0x7fffffff, (w, v) => w.i32(v), (r) => r.i32());
/** Unsigned LEB128: 1 byte below 128, 2 below 16 384, ... up to 2^53 - 1. */
export const varint = integer('varint', 0, Number.MAX_SAFE_INTEGER, (w, v) => w.varint(v), (r) => r.varint());
/** Zigzag LEB128 of a safe integer: 1 byte for -64..63. */
export const svarint = integer('svarint', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, (w, v) => w.svarint(v), (r) => r.svarint());

/**
 * An integer field whose patches carry the change, not the value: `svarint(value − value at the last
 * patch)`, 1 byte for −64..63 (a position moving a few units a tick: 1 byte where `u16` takes 2).
 * Full states (joins, resumes, view switches, checkpoints) carry the value as `base` does. Only a
 * struct field's change is relative; array items and map values travel as `base`.
 * @example const Player = struct({ x: delta(u16), y: delta(u16), name: string });
 * @throws StateError `STATE_BAD_SCHEMA` for a base other than u8, u16, u32, i8, i16, i32.
 */
export function delta<N extends string>(base: IntegerType<N>): IntegerType<`delta(${N})`> {
  if (!FIXED_INTEGERS.includes(base)) {
    throw new StateError(StateErrorCode.BAD_SCHEMA, `delta() takes u8, u16, u32, i8, i16 or i32, not ${String((base as { name?: unknown } | null)?.name)}`);
  }
  const { min, max } = base;
  return Object.freeze({
    ...base,
    name: `delta(${base.name})` as const,
    writeChange: (w: ByteWriter, previous: number, v: number) => {
      w.svarint(v - previous);
    },
    readChange(r: ByteReader, previous: number) {
      const at = r.pos;
      const v = previous + r.svarint();
      if (v < min || v > max) throw new StateError(StateErrorCode.MALFORMED, `delta at offset ${at} takes ${base.name} ${previous} to ${v}, out of range`);
      return v;
    },
  });
}

const FIXED_INTEGERS: readonly IntegerType[] = [u8, u16, u32, i8, i16, i32];

/** IEEE 754 single: values are rounded (`Math.fround`) on assignment, so the mirror sees exactly what the server holds. */
export const f32: PrimitiveType<number, 'f32'> = {
  kind: 'primitive',
  name: 'f32',
  zero: 0,
  normalize(v) {
    if (typeof v !== 'number') throw bad('f32', v);
    return Math.fround(v);
  },
  write: (w, v) => w.f32(v),
  read: (r) => r.f32(),
};

export const f64: PrimitiveType<number, 'f64'> = {
  kind: 'primitive',
  name: 'f64',
  zero: 0,
  normalize(v) {
    if (typeof v !== 'number') throw bad('f64', v);
    return v;
  },
  write: (w, v) => w.f64(v),
  read: (r) => r.f64(),
};

/** UTF-8, prefixed by its byte length (varint). */
export const string: PrimitiveType<string, 'string'> = {
  kind: 'primitive',
  name: 'string',
  zero: '',
  normalize(v) {
    if (typeof v !== 'string') throw bad('string', v);
    return v;
  },
  write: (w, v) => w.string(v),
  read: (r, max) => r.string(max),
};

/** One byte, 0 or 1. */
export const boolean: PrimitiveType<boolean, 'boolean'> = {
  kind: 'primitive',
  name: 'boolean',
  zero: false,
  normalize(v) {
    if (typeof v !== 'boolean') throw bad('boolean', v);
    return v;
  },
  write: (w, v) => w.u8(v ? 1 : 0),
  read(r) {
    const b = r.u8();
    if (b > 1) throw new StateError(StateErrorCode.MALFORMED, `boolean byte ${b} at offset ${r.pos - 1}`);
    return b === 1;
  },
};

function checkType(t: unknown, where: string): asserts t is StateType {
  const kind = (t as { kind?: unknown } | null)?.kind;
  if (kind !== 'primitive' && kind !== 'struct' && kind !== 'map' && kind !== 'array') {
    throw new StateError(StateErrorCode.BAD_SCHEMA, `${where} is not a state type; use u8…f64, varint, delta(…), string, boolean, struct, map or array`);
  }
}

/**
 * Declares a struct. Field order is the wire order: append new fields at the end.
 * @example const Player = struct({ x: f32, y: f32, name: string, score: u16 });
 * @throws StateError `STATE_BAD_SCHEMA` for no fields, a field named `$…` or a value that is not a type.
 */
export function struct<F extends Fields>(fields: F): StructType<F> {
  const names = Object.keys(fields);
  if (names.length === 0) throw new StateError(StateErrorCode.BAD_SCHEMA, 'a struct needs at least one field');
  for (const n of names) {
    if (n.startsWith('$')) throw new StateError(StateErrorCode.BAD_SCHEMA, `field "${n}": names starting with "$" are reserved`);
    checkType(fields[n], `field "${n}"`);
  }
  return Object.freeze({
    kind: 'struct' as const,
    fields,
    names,
    types: names.map((n) => fields[n]!),
    maskBytes: Math.ceil(names.length / 8),
  });
}

/**
 * Declares a map keyed by string, or by number (a 32-bit signed integer).
 * @example const World = struct({ players: map(string, Player) });
 */
export function map<K extends PrimitiveType<string, 'string'> | PrimitiveType<number>, V extends StateType>(
  key: K,
  value: V,
): MapType<K extends PrimitiveType<string, 'string'> ? 'string' : 'number', V> {
  checkType(value, 'map value');
  const kind = key.name === 'string' ? 'string' : 'number';
  return Object.freeze({ kind: 'map', key: kind, value }) as MapType<K extends PrimitiveType<string, 'string'> ? 'string' : 'number', V>;
}

/** Declares an ordered list. Any change re-sends the list (items that are structs by reference): keep large collections in maps. */
export function array<V extends StateType>(item: V): ArrayType<V> {
  checkType(item, 'array item');
  return Object.freeze({ kind: 'array', item });
}

/** Normalizes a map key: strings as they are, numbers as 32-bit signed integers. */
export function normalizeKey(kind: KeyKind, k: unknown): string | number {
  if (kind === 'string') {
    if (typeof k !== 'string') throw bad('string key', k);
    return k;
  }
  if (typeof k !== 'number' || (k | 0) !== k) throw bad('i32 key', k);
  return k;
}
