/**
 * What a group of clients sees of the state's viewed maps: a set of visible keys per viewed field.
 * Clients with the same view share one encoding per tick. Changes to visibility take effect at the
 * next `encodeTick()`: entering keys travel whole (a set), leaving keys as a delete.
 */
export class View {
  /** Desired visible keys, per viewed field. */
  readonly visible: Map<string, Set<string | number>>;
  /** Keys the view's clients hold (as of the last patch), per viewed field. */
  readonly sent: Map<string, Set<string | number>>;
  /** Keys shown or hidden since the last patch, per viewed field. */
  readonly pending: Map<string, Set<string | number>>;
  #disposed = false;
  readonly #onDispose: (v: View) => void;

  /** @internal created by `StateEncoder.createView()` */
  constructor(fields: readonly string[], onDispose: (v: View) => void) {
    this.visible = new Map(fields.map((f) => [f, new Set()]));
    this.sent = new Map(fields.map((f) => [f, new Set()]));
    this.pending = new Map(fields.map((f) => [f, new Set()]));
    this.#onDispose = onDispose;
  }

  /** Makes `key` of the viewed map `field` visible. */
  add(field: string, key: string | number): void {
    const vis = this.#set(field);
    if (vis.has(key)) return;
    vis.add(key);
    this.pending.get(field)!.add(key);
  }

  /** Hides `key` of the viewed map `field`. */
  delete(field: string, key: string | number): void {
    const vis = this.#set(field);
    if (!vis.delete(key)) return;
    this.pending.get(field)!.add(key);
  }

  has(field: string, key: string | number): boolean {
    return this.#set(field).has(key);
  }

  /** Stops encoding this view (no client uses it any more). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#onDispose(this);
  }

  #set(field: string): Set<string | number> {
    const s = this.visible.get(field);
    if (s === undefined) throw new RangeError(`"${field}" is not a viewed field; list it in the encoder's "views" option`);
    return s;
  }
}
