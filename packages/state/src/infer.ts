import type { ArrayType, KeyKind, KeyOf, MapType, PrimitiveType, StateType, StructType } from './types.ts';
import type { StateArray } from './server/StateArray.ts';
import type { StateMap } from './server/StateMap.ts';

/** The server-side (tracked, mutable) shape of a declared type. */
export type Infer<T> =
  T extends PrimitiveType<infer V>
    ? V
    : T extends StructType<infer F>
      ? { -readonly [K in keyof F]: Infer<F[K]> }
      : T extends MapType<infer K, infer V>
        ? StateMap<KeyOf<K>, Infer<V>, Input<V>>
        : T extends ArrayType<infer V>
          ? StateArray<Infer<V>, Input<V>>
          : never;

/** What may be assigned: plain objects for structs, `Map`s or entry lists for maps, iterables for arrays. */
export type Input<T> =
  T extends PrimitiveType<infer V>
    ? V
    : T extends StructType<infer F>
      ? { readonly [K in keyof F]: Input<F[K]> }
      : T extends MapType<infer K, infer V>
        ? Iterable<readonly [KeyOf<K>, Input<V>]>
        : T extends ArrayType<infer V>
          ? Iterable<Input<V>>
          : never;

/** The client-side read-only mirror of a declared type. */
export type Mirrored<T> =
  T extends PrimitiveType<infer V>
    ? V
    : T extends StructType<infer F>
      ? { readonly [K in keyof F]: Mirrored<F[K]> }
      : T extends MapType<infer K, infer V>
        ? ReadonlyMap<KeyOf<K>, Mirrored<V>>
        : T extends ArrayType<infer V>
          ? readonly Mirrored<V>[]
          : never;

export type { KeyKind, StateType };
