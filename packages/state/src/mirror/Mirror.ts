import { StateError, StateErrorCode } from '../errors.ts';
import type { Mirrored } from '../infer.ts';
import type { StructType } from '../types.ts';
import { ByteReader } from '../wire/ByteReader.ts';
import { FULL, REBASE, SEQ_MASK } from '../wire/format.ts';
import { Decoder, type MirrorNode } from './Decoder.ts';
import { fire, type Listeners, type MirrorEvent } from './listeners.ts';
import { reconcile } from './reconcile.ts';

export interface MirrorOptions {
  /** Longest string or string key accepted, in bytes. @defaultValue 65_536 */
  maxStringBytes?: number;
  /** Most entries in one map or array, and most ops in one map change. @defaultValue 1_000_000 */
  maxCount?: number;
}
export const DEFAULT_MAX_STRING_BYTES = 65_536;
export const DEFAULT_MAX_COUNT = 1_000_000;

/** What `apply` did: applied a full state, a patch or a view switch, or ignored a patch the last full state already includes. */
export type Applied = 'full' | 'patch' | 'rebase' | 'old';

/**
 * Patches up to this many behind a fresh full state are ignored, not a gap: a joiner's full state can
 * overtake the room's last broadcasts (they travel different routes), and it already includes them.
 */
export const OLD_PATCH_WINDOW = 16;

type MapOf<V> = ReadonlyMap<unknown, V>;

/**
 * A client's read-only copy of a room's state, kept equal by the server's full states and patches.
 * `apply` is atomic: bytes that fail to decode leave the mirror as it was and throw a coded `StateError`.
 * Listeners fire after the whole patch is applied, in wire order, then `onPatch`.
 * @example
 * const mirror = new Mirror(World);
 * mirror.onPatch(() => render(mirror.state!));
 * socket.on('state', (bytes) => { try { mirror.apply(bytes) } catch (e) { if (mirror.stale) requestFullState() } });
 */
export class Mirror<T extends StructType> {
  readonly type: T;
  #state: Mirrored<T> | undefined;
  #seq = 0;
  #stale = true;
  /** No patch applied since the last full state. */
  #fresh = false;
  #nodes = new Map<number, MirrorNode>();
  #refOf = new WeakMap<object, number>();
  readonly #listeners = new WeakMap<object, Listeners>();
  readonly #onPatch = new Set<(seq: number, applied: Applied) => void>();
  readonly #limits: { maxStringBytes: number; maxCount: number };

  constructor(type: T, options: MirrorOptions = {}) {
    this.type = type;
    this.#limits = { maxStringBytes: options.maxStringBytes ?? DEFAULT_MAX_STRING_BYTES, maxCount: options.maxCount ?? DEFAULT_MAX_COUNT };
  }

  /** The mirrored state; undefined until the first full state. A later full state (after a gap) is merged into the same objects: references and callbacks stay valid. */
  get state(): Mirrored<T> | undefined {
    return this.#state;
  }

  /** Sequence number of the last full state or patch applied. */
  get seq(): number {
    return this.#seq;
  }

  /** True until a full state is applied, and after a gap: patches are refused until the next full state. */
  get stale(): boolean {
    return this.#stale;
  }

  /**
   * Applies a full state, a patch or a view switch. Right after a full state at `seq`, a patch at most
   * {@link OLD_PATCH_WINDOW} behind it is ignored (`'old'`): the full state includes it.
   * @throws StateError `STATE_SEQ_GAP` (the mirror is now stale: ask for the full state), `STATE_NO_STATE`,
   * `STATE_TRUNCATED`, `STATE_MALFORMED`, `STATE_TOO_LARGE`; the mirror is unchanged by a failed call.
   */
  apply(bytes: Uint8Array): Applied {
    const r = new ByteReader(bytes);
    const head = r.u8();
    if (head === FULL) return this.#full(r);
    if (this.#state === undefined || this.#stale) throw new StateError(StateErrorCode.NO_STATE, 'a patch arrived before a full state; ask for the full state');
    let seq: number;
    let applied: Applied;
    if (head <= SEQ_MASK) {
      seq = this.#seq + 1;
      if (head !== (seq & SEQ_MASK)) {
        if (this.#fresh && (this.#seq - head + 128) % 128 < OLD_PATCH_WINDOW) return 'old';
        this.#stale = true;
        throw new StateError(StateErrorCode.SEQ_GAP, `patch ${head} (mod 128) does not follow ${this.#seq}; ask for the full state`);
      }
      applied = 'patch';
    } else if (head === REBASE) {
      seq = r.varint();
      if (seq !== this.#seq) {
        this.#stale = true;
        throw new StateError(StateErrorCode.SEQ_GAP, `view switch at ${seq} while the mirror is at ${this.#seq}; ask for the full state`);
      }
      applied = 'rebase';
    } else throw new StateError(StateErrorCode.MALFORMED, `unknown state message 0x${head.toString(16)}`);
    const d = new Decoder(r, this.#nodes, this.#refOf, this.#limits, this.#listeners);
    try {
      while (r.remaining > 0) d.change();
    } catch (e) {
      d.rollback();
      throw e;
    }
    this.#seq = seq;
    this.#fresh = false;
    for (const e of d.events) {
      const l = this.#listeners.get(e.target);
      if (l !== undefined) fire(l, e);
    }
    this.#onPatch.forEach((f) => f(seq, applied));
    return applied;
  }

  #full(r: ByteReader): Applied {
    const seq = r.varint();
    const nodes = new Map<number, MirrorNode>();
    const refOf = new WeakMap<object, number>();
    const d = new Decoder(r, nodes, refOf, this.#limits, this.#listeners);
    const ref = r.varint();
    if (ref !== 0) throw new StateError(StateErrorCode.MALFORMED, `root ref ${ref}, expected 0`);
    let state = d.body(this.type, 0, -1);
    if (r.remaining > 0) throw new StateError(StateErrorCode.MALFORMED, `${r.remaining} B after the full state`);
    // A resynchronisation keeps the objects the game holds and their callbacks (events as a patch would give).
    const events: MirrorEvent[] = [];
    if (this.#state !== undefined) {
      const listeners = this.#listeners;
      state = reconcile(this.type, this.#state, state, nodes, refOf, (target, e) => {
        if (listeners.has(target)) events.push(e);
      });
    }
    this.#nodes = nodes;
    this.#refOf = refOf;
    this.#state = state as Mirrored<T>;
    this.#seq = seq;
    this.#stale = false;
    this.#fresh = true;
    for (const e of events) fire(this.#listeners.get(e.target)!, e);
    this.#onPatch.forEach((f) => f(seq, 'full'));
    return 'full';
  }

  /** After every applied full state, patch or view switch. Returns the unsubscribe function. */
  onPatch(cb: (seq: number, applied: Applied) => void): () => void {
    this.#onPatch.add(cb);
    return () => this.#onPatch.delete(cb);
  }

  /** An entry added to a mirrored map. */
  onAdd<V>(map: MapOf<V>, cb: (value: V, key: unknown) => void): () => void {
    return this.#on(map, 'add', cb as (v: unknown, k: unknown) => void);
  }

  /** An entry removed from a mirrored map (with its last value). */
  onRemove<V>(map: MapOf<V>, cb: (value: V, key: unknown) => void): () => void {
    return this.#on(map, 'remove', cb as (v: unknown, k: unknown) => void);
  }

  /** A map entry replaced (value, key, previous); a struct field changed (field, value, previous); an array changed (array). */
  onChange<I>(array: readonly I[], cb: (array: readonly I[]) => void): () => void;
  onChange<V>(map: MapOf<V>, cb: (value: V, key: unknown, previous: V) => void): () => void;
  onChange<S extends object>(struct: S, cb: (field: keyof S & string, value: S[keyof S], previous: S[keyof S]) => void): () => void;
  onChange(target: object, cb: (...args: never[]) => void): () => void {
    return this.#on(target, 'change', cb as (...args: unknown[]) => void);
  }

  /** One struct field changed. */
  onField<S extends object, K extends keyof S & string>(struct: S, field: K, cb: (value: S[K], previous: S[K]) => void): () => void {
    const l = this.#entry(struct);
    const fields = (l.fields ??= new Map<string, Set<(value: unknown, previous: unknown) => void>>());
    let set = fields.get(field);
    if (set === undefined) fields.set(field, (set = new Set()));
    const f = cb as (v: unknown, p: unknown) => void;
    set.add(f);
    return () => set.delete(f);
  }

  #on(target: object, kind: 'add' | 'remove' | 'change', cb: (...args: unknown[]) => void): () => void {
    const l = this.#entry(target);
    const set = (l[kind] ??= new Set()) as Set<(...args: unknown[]) => void>;
    set.add(cb);
    return () => set.delete(cb);
  }

  #entry(target: object): Listeners {
    let l = this.#listeners.get(target);
    if (l === undefined) this.#listeners.set(target, (l = {}));
    return l;
  }
}
