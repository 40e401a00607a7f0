import { StateError, StateErrorCode } from '../errors.ts';
import type { Infer, Input } from '../infer.ts';
import type { MapType, StructType } from '../types.ts';
import { ByteWriter } from '../wire/ByteWriter.ts';
import { Slab } from '../wire/Slab.ts';
import { FULL, MAP_DELETE, MAP_SET, REBASE, SEQ_MASK } from '../wire/format.ts';
import { convert } from './convert.ts';
import { loadFull } from './loadFull.ts';
import type { StateMap } from './StateMap.ts';
import type { TrackedStruct } from './structClass.ts';
import { attach, Tracker, type Node } from './Tracker.ts';
import { View } from './View.ts';
import { writeBody, writeChange, writeKey, writeMapChange, writeValue } from './writeValue.ts';

export interface StateEncoderOptions<F extends string = string> {
  /** Top-level map fields filtered per view (interest management). @defaultValue [] */
  views?: readonly F[];
}

/** The patches of one tick: one for clients without a view, one per view. */
export interface TickPatches {
  readonly seq: number;
  /** The patch for `view`, or for a client that sees everything. Views share the tick's one allocation. */
  patch(view?: View): Uint8Array;
}

type AnyMap = StateMap<string | number, unknown>;
interface Viewed {
  field: string;
  map: AnyMap;
  type: MapType;
}

/**
 * Owns a room's state: `state` is mutated as plain objects; `encodeTick()` encodes what changed since
 * the last patch, once for all clients (once per view with views); `full()` serves joiners.
 * @example
 * const enc = new StateEncoder(World, { players: new Map(), tick: 0 });
 * enc.state.players.set('ann', { x: 1, y: 2, name: 'Ann', score: 0 });
 * const t = enc.encodeTick(); for (const c of clients) c.send(t.patch());
 */
export class StateEncoder<T extends StructType> {
  readonly type: T;
  readonly state: Infer<T>;
  readonly #tracker = new Tracker();
  readonly #viewed: Viewed[];
  readonly #views = new Set<View>();
  readonly #shared = new ByteWriter();
  readonly #chunks = new ByteWriter();
  readonly #out = new ByteWriter(4096);
  readonly #scratch = new ByteWriter();
  readonly #setKeys = new Set<string | number>();
  readonly #owners: Node[] = [];
  readonly #slab = new Slab();

  /** @throws StateError `STATE_BAD_VALUE` when `initial` does not fit `type`, `STATE_BAD_SCHEMA` for a view field that is not a top-level map. */
  constructor(type: T, initial: Input<T>, options: StateEncoderOptions<keyof T['fields'] & string> = {}) {
    this.type = type;
    const root = convert(type, initial) as TrackedStruct;
    this.#viewed = (options.views ?? []).map((field) => {
      const i = type.names.indexOf(field);
      const t = type.types[i];
      if (t?.kind !== 'map') throw new StateError(StateErrorCode.BAD_SCHEMA, `view field "${field}" must be a top-level map`);
      const map = root.$v[i] as AnyMap;
      map.$viewed = true;
      return { field, map, type: t };
    });
    attach(root, null, this.#tracker);
    this.#tracker.initial = false;
    this.state = root as unknown as Infer<T>;
  }

  /** Sequence number of the last patch (0 before the first); a full state carries it. */
  get seq(): number {
    return this.#tracker.seq;
  }

  /** True when nothing changed since the last patch. */
  get clean(): boolean {
    return this.#tracker.count === 0;
  }

  /**
   * Replaces the state with a full state that `full()` gave earlier (a room restored from its
   * checkpoint); the load is the new baseline (no patch for it). See {@link loadFull}.
   * @throws StateError for bytes that are not a full state of this type (the state is then unchanged).
   */
  load(full: Uint8Array): void {
    loadFull(this, full);
  }

  /** A view over the maps listed in `views`; dispose of it when no client uses it. */
  createView(): View {
    const v = new View(
      this.#viewed.map((x) => x.field),
      (d) => this.#views.delete(d),
    );
    this.#views.add(v);
    return v;
  }

  /**
   * The full state at `seq`, for a joiner or a resumer (with `view`: the entries its clients hold).
   * @throws StateError `STATE_PENDING_CHANGES` when the state changed since the last patch: send the full state right after `encodeTick()`.
   */
  full(view?: View): Uint8Array {
    this.#assertClean('full');
    const w = this.#scratch;
    w.reset();
    w.u8(FULL);
    w.varint(this.#tracker.seq);
    w.varint(0);
    const root = this.state as unknown as Node;
    writeBody(w, this.type, root, view === undefined ? undefined : (m) => (m.$viewed ? view.sent.get(this.#fieldOf(m))! : undefined));
    return w.copy();
  }

  /**
   * Moves a client from view `from` to view `to` between ticks: removes what only `from` shows, adds
   * what only `to` shows. Send it after the tick's patch; then send `to`'s patches.
   */
  switchView(from: View | undefined, to: View | undefined): Uint8Array {
    this.#assertClean('switchView');
    const w = this.#scratch;
    w.reset();
    w.u8(REBASE);
    w.varint(this.#tracker.seq);
    for (const { field, map, type } of this.#viewed) {
      const a = from?.sent.get(field) ?? map.$m;
      const b = to?.sent.get(field) ?? map.$m;
      let ops = 0;
      for (const k of a.keys()) if (!b.has(k)) ops++;
      for (const k of b.keys()) if (!a.has(k)) ops++;
      if (ops === 0) continue;
      w.varint(map.$ref);
      w.varint(ops);
      for (const k of a.keys()) {
        if (b.has(k)) continue;
        w.u8(MAP_DELETE);
        writeKey(w, type, k);
      }
      for (const k of b.keys()) {
        if (a.has(k)) continue;
        w.u8(MAP_SET);
        writeKey(w, type, k);
        writeValue(w, type.value, map.$m.get(k));
      }
    }
    return w.copy();
  }

  /** Encodes the changes since the last patch once (per view with views), then starts a new tick. */
  encodeTick(): TickPatches {
    const seq = this.#tracker.seq + 1;
    const views = this.#run();
    return new Tick(seq, this.#slab.take(this.#out), views?.index ?? null, views?.offsets ?? null);
  }

  /** `encodeTick().patch()`: the tick's patch for clients without a view, with one allocation less. */
  encode(): Uint8Array {
    if (this.#views.size > 0) return this.encodeTick().patch();
    this.#run();
    return this.#slab.take(this.#out);
  }

  /** Writes the everyone patch then each view's into `#out`; returns where the views' patches end. */
  #run(): { index: Map<View, number>; offsets: number[] } | null {
    const t = this.#tracker;
    const stamp = t.seq;
    const seq = stamp + 1;
    const chunks = this.#chunks;
    const out = this.#out;
    out.reset();
    out.u8(seq & SEQ_MASK);
    chunks.reset();
    // Without views the shared changes go straight into the one patch (bench: "x/y of 1" is mostly fixed cost).
    const views = this.#views.size > 0;
    const shared = views ? this.#shared : out;
    if (views) shared.reset();
    const owners = this.#owners;
    if (owners.length !== 0) owners.length = 0;
    const changed = t.changed;
    for (let i = 0; i < t.count; i++) {
      const node = changed[i]!;
      if (node.$tracker === null || node.$born === stamp || node.$viewed) continue;
      const o = node.$owner;
      if (o === null) {
        writeChange(shared, node, stamp);
        continue;
      }
      const start = chunks.pos;
      writeChange(chunks, node, stamp);
      if (chunks.pos === start) continue;
      if (o.$segs === null) {
        o.$segs = [];
        owners.push(o);
      }
      o.$segs.push(start, chunks.pos);
    }
    // Everyone: shared changes, viewed maps as plain maps, every entry's chunk.
    if (views) out.range(shared.buf, 0, shared.pos);
    for (const { map, type } of this.#viewed) writeMapChange(out, type, map);
    for (const o of owners) this.#copySegs(out, o);
    let result: { index: Map<View, number>; offsets: number[] } | null = null;
    if (views) {
      const index = new Map<View, number>();
      const offsets = [out.pos];
      result = { index, offsets };
      for (const v of this.#views) {
        out.u8(seq & SEQ_MASK);
        out.range(shared.buf, 0, shared.pos);
        for (const x of this.#viewed) this.#viewMap(out, v, x, owners);
        index.set(v, offsets.length);
        offsets.push(out.pos);
      }
    }
    for (const o of owners) o.$segs = null;
    t.commit();
    return result;
  }

  /** One view's ops on one viewed map (entering keys set whole, leaving keys deleted), then the chunks of the entries it holds. */
  #viewMap(out: ByteWriter, v: View, x: Viewed, owners: readonly Node[]): void {
    const { field, map } = x;
    const sent = v.sent.get(field)!;
    const visible = v.visible.get(field)!;
    const pending = v.pending.get(field)!;
    const touched = map.$touched;
    const setKeys = this.#setKeys;
    setKeys.clear();
    const w = this.#scratch;
    w.reset();
    let ops = 0;
    for (const k of pending) ops += this.#visit(w, x, k, visible, sent, touched);
    pending.clear();
    if (touched !== null) for (const k of touched.keys()) ops += this.#visit(w, x, k, visible, sent, touched);
    if (ops > 0) {
      out.varint(map.$ref);
      out.varint(ops);
      out.range(w.buf, 0, w.pos);
    }
    if (owners.length === 0) return;
    if (owners.length <= sent.size) {
      for (const o of owners) if (o.$parent === map && sent.has(o.$key!) && !setKeys.has(o.$key!)) this.#copySegs(out, o);
    } else {
      for (const k of sent) {
        const o = map.$m.get(k) as Node;
        if (o.$segs !== null && !setKeys.has(k)) this.#copySegs(out, o);
      }
    }
  }

  /** The op (if any) that brings one key of a view up to date: 1 when written. */
  #visit(w: ByteWriter, x: Viewed, k: string | number, visible: ReadonlySet<string | number>, sent: Set<string | number>, touched: ReadonlyMap<string | number, boolean> | null): number {
    const { map, type } = x;
    const present = map.$m.has(k);
    const inD = present && visible.has(k);
    const inS = sent.has(k);
    if (inS && !inD) {
      w.u8(MAP_DELETE);
      writeKey(w, type, k);
      sent.delete(k);
      return 1;
    }
    if (inD && (!inS || (touched !== null && touched.has(k))) && !this.#setKeys.has(k)) {
      w.u8(MAP_SET);
      writeKey(w, type, k);
      writeValue(w, type.value, map.$m.get(k));
      sent.add(k);
      this.#setKeys.add(k);
      return 1;
    }
    return 0;
  }

  #copySegs(out: ByteWriter, o: Node): void {
    const segs = o.$segs!;
    const src = this.#chunks.buf;
    for (let i = 0; i < segs.length; i += 2) out.range(src, segs[i]!, segs[i + 1]!);
  }

  #fieldOf(m: Node): string {
    return this.#viewed.find((x) => x.map === m)!.field;
  }

  #assertClean(what: string): void {
    if (this.#tracker.count > 0) {
      throw new StateError(StateErrorCode.PENDING_CHANGES, `${what}() needs the state as of the last patch; call it right after encodeTick(), before mutating`);
    }
  }
}

/** One tick's bytes: every patch is a view into one allocation; a view's patch is built once and shared. */
class Tick implements TickPatches {
  readonly seq: number;
  readonly #all: Uint8Array;
  /** Per view, the index in `offsets` of the end of its patch (it starts at the previous offset). */
  readonly #index: Map<View, number> | null;
  readonly #offsets: number[] | null;
  #cache: Map<View, Uint8Array> | null = null;

  constructor(seq: number, all: Uint8Array, index: Map<View, number> | null, offsets: number[] | null) {
    this.seq = seq;
    this.#all = all;
    this.#index = index;
    this.#offsets = offsets;
  }

  patch(view?: View): Uint8Array {
    const offsets = this.#offsets;
    if (view === undefined) return offsets === null ? this.#all : this.#all.subarray(0, offsets[0]);
    let b = this.#cache?.get(view);
    if (b !== undefined) return b;
    const i = this.#index?.get(view);
    if (i === undefined) throw new RangeError('this view was created after the tick or disposed');
    b = this.#all.subarray(offsets![i - 1], offsets![i]);
    (this.#cache ??= new Map()).set(view, b);
    return b;
  }
}
