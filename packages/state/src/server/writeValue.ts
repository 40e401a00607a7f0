import type { ByteWriter } from '../wire/ByteWriter.ts';
import { MAP_DELETE, MAP_SET } from '../wire/format.ts';
import type { ArrayType, MapType, StateType, StructType } from '../types.ts';
import type { StateArray } from './StateArray.ts';
import type { StateMap } from './StateMap.ts';
import type { TrackedStruct } from './structClass.ts';
import type { Node } from './Tracker.ts';

/** A value in full: a primitive as itself, a container as varint ref + body. */
export function writeValue(w: ByteWriter, type: StateType, v: unknown): void {
  if (type.kind === 'primitive') type.write(w, v);
  else {
    w.varint((v as Node).$ref);
    writeBody(w, type, v as Node);
  }
}

export function writeKey(w: ByteWriter, type: MapType, k: string | number): void {
  if (type.key === 'string') w.string(k as string);
  else w.svarint(k as number);
}

/** A container's body in full. `keep` filters the entries of a viewed map (full state for a view). */
export function writeBody(w: ByteWriter, type: StateType, node: Node, keep?: (m: Node) => ReadonlySet<string | number> | undefined): void {
  switch (type.kind) {
    case 'struct': {
      const s = node as TrackedStruct;
      for (let i = 0; i < type.types.length; i++) {
        const t = type.types[i]!;
        const v = s.$v[i];
        if (t.kind === 'primitive') t.write(w, v);
        else {
          w.varint((v as Node).$ref);
          const only = keep?.(v as Node);
          if (only !== undefined) writeMapOnly(w, t as MapType, v as StateMap<string | number, unknown>, only);
          else writeBody(w, t, v as Node);
        }
      }
      return;
    }
    case 'map': {
      const m = node as unknown as StateMap<string | number, unknown>;
      w.varint(m.$m.size);
      for (const [k, v] of m.$m) {
        writeKey(w, type, k);
        writeValue(w, type.value, v);
      }
      return;
    }
    case 'array':
      writeItems(w, type, node as unknown as StateArray<unknown>);
      return;
    default:
      return;
  }
}

function writeMapOnly(w: ByteWriter, type: MapType, m: StateMap<string | number, unknown>, only: ReadonlySet<string | number>): void {
  w.varint(only.size);
  for (const k of only) {
    writeKey(w, type, k);
    writeValue(w, type.value, m.$m.get(k));
  }
}

/** Array items: primitives as values; containers as varint (ref·2 + 1) + body when new to the mirror, (ref·2) when it has them. */
function writeItems(w: ByteWriter, type: ArrayType, a: StateArray<unknown>, bornSeq = Number.NaN): void {
  w.varint(a.$a.length);
  const t = type.item;
  if (t.kind === 'primitive') {
    for (const v of a.$a) t.write(w, v);
    return;
  }
  for (const v of a.$a) {
    const n = v as Node;
    const isNew = Number.isNaN(bornSeq) || n.$born === bornSeq;
    w.varint(n.$ref * 2 + (isNew ? 1 : 0));
    if (isNew) writeBody(w, t, n);
  }
}

/** One change entry: varint ref, then the change of a struct, a map or an array (docs/protocol.md "State patches"). */
export function writeChange(w: ByteWriter, node: Node, seq: number): void {
  const type = node.$type;
  if (type.kind === 'map') {
    writeMapChange(w, type, node as unknown as StateMap<string | number, unknown>);
    return;
  }
  w.varint(node.$ref);
  if (type.kind === 'struct') writeStructChange(w, type, node as TrackedStruct);
  else writeItems(w, type, node as unknown as StateArray<unknown>, seq);
}

function writeStructChange(w: ByteWriter, type: StructType, s: TrackedStruct): void {
  const mask = s.$mask;
  const hi = s.$maskHi;
  const nb = type.maskBytes;
  w.ensure(nb);
  const start = w.pos;
  for (let b = 0; b < nb; b++) w.buf[start + b] = b < 4 ? (mask >>> (b * 8)) & 0xff : 0;
  if (hi !== null) for (const i of hi) w.buf[start + (i >> 3)]! |= 1 << (i & 7);
  w.pos += nb;
  for (let i = 0; i < type.types.length; i++) {
    if ((w.buf[start + (i >> 3)]! & (1 << (i & 7))) === 0) continue;
    const t = type.types[i]!;
    if (t.kind === 'primitive' && t.writeChange !== undefined) t.writeChange(w, s.$p![i], s.$v[i]);
    else writeValue(w, t, s.$v[i]);
  }
}

/** Map change entry: varint ref, varint op count, then per op: u8 0 (set) + key + value, or u8 1 (delete) + key. Nothing when no op is left. */
export function writeMapChange(w: ByteWriter, type: MapType, m: StateMap<string | number, unknown>): void {
  const touched = m.$touched;
  if (touched === null) return;
  let ops = 0;
  for (const [k, existed] of touched) if (existed || m.$m.has(k)) ops++;
  if (ops === 0) return;
  w.varint(m.$ref);
  w.varint(ops);
  for (const [k, existed] of touched) {
    const v = m.$m.get(k);
    if (v !== undefined) {
      w.u8(MAP_SET);
      writeKey(w, type, k);
      writeValue(w, type.value, v);
    } else if (existed) {
      w.u8(MAP_DELETE);
      writeKey(w, type, k);
    }
  }
}
