/** Callbacks registered on one mirrored object. */
export interface Listeners {
  add?: Set<(value: unknown, key: unknown) => void>;
  remove?: Set<(value: unknown, key: unknown) => void>;
  change?: Set<(...args: unknown[]) => void>;
  fields?: Map<string, Set<(value: unknown, previous: unknown) => void>>;
}

/** What happened to a mirrored object while a patch was applied (fired only once the whole patch applied). */
export type MirrorEvent =
  | { kind: 'add' | 'remove'; target: object; key: unknown; value: unknown }
  | { kind: 'mapChange'; target: object; key: unknown; value: unknown; previous: unknown }
  | { kind: 'field'; target: object; field: string; value: unknown; previous: unknown }
  | { kind: 'array'; target: object };

export function fire(l: Listeners, e: MirrorEvent): void {
  switch (e.kind) {
    case 'add':
      l.add?.forEach((f) => f(e.value, e.key));
      return;
    case 'remove':
      l.remove?.forEach((f) => f(e.value, e.key));
      return;
    case 'mapChange':
      l.change?.forEach((f) => f(e.value, e.key, e.previous));
      return;
    case 'field':
      l.change?.forEach((f) => f(e.field, e.value, e.previous));
      l.fields?.get(e.field)?.forEach((f) => f(e.value, e.previous));
      return;
    case 'array':
      l.change?.forEach((f) => f(e.target));
      return;
  }
}
