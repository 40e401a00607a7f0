import { Mirror, type MirrorOptions } from '../mirror/Mirror.ts';
import type { StructType } from '../types.ts';
import type { StateMap } from './StateMap.ts';

/** What {@link loadFull} needs of a `StateEncoder` (its declared type, its tracked state, its patch). */
interface Loadable {
  readonly type: StructType;
  readonly state: unknown;
  encode(): Uint8Array;
}

/**
 * Replaces the tracked state of `encoder` with the full state `full` (what `encoder.full()` gave
 * earlier, e.g. a room checkpoint read back from Redis). The bytes are decoded by a {@link Mirror}
 * with its limits (hostile input costs at most linear memory); top-level maps are cleared and
 * refilled in place (a view keeps its map), other fields are assigned. The load is the encoder's
 * new baseline: its changes are encoded and dropped, so the next patch holds only later changes.
 * @throws StateError `STATE_MALFORMED`, `STATE_TRUNCATED`, `STATE_TOO_LARGE`, `STATE_BAD_VALUE` for
 * bytes that are not a full state of `encoder.type`; the encoder is then unchanged.
 */
export function loadFull(encoder: Loadable, full: Uint8Array, options?: MirrorOptions): void {
  const mirror = new Mirror(encoder.type, options);
  mirror.apply(full);
  const src = mirror.state;
  if (src === undefined) return;
  const dst = encoder.state as Record<string, unknown>;
  const type = encoder.type;
  for (let i = 0; i < type.names.length; i++) {
    const name = type.names[i]!;
    if (type.types[i]!.kind === 'map') {
      const map = dst[name] as StateMap<string | number, unknown>;
      map.clear();
      for (const [k, v] of src[name] as ReadonlyMap<string | number, unknown>) map.set(k, v);
    } else dst[name] = src[name];
  }
  encoder.encode();
}
