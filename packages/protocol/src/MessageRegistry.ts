import { FIRST_APPLICATION_TYPE, type AnyDefinition } from './defineMessage.ts';
import { ErrorCode, HearthError } from './errors.ts';

/** Options of a {@link MessageRegistry}. */
export interface MessageRegistryOptions {
  /** Allow types below 100 (only the framework's own registry does). @defaultValue false */
  allowReserved?: boolean;
}

/**
 * The set of message definitions both sides share. Rejects duplicate types and names, so two
 * modules cannot silently claim the same wire type.
 *
 * @example
 * export const registry = new MessageRegistry([Move, Chat, Leaderboard]);
 */
export class MessageRegistry implements Iterable<AnyDefinition> {
  readonly #byType = new Map<number, AnyDefinition>();
  readonly #byName = new Map<string, AnyDefinition>();

  /** @throws {HearthError} `DEFINITION` on a duplicate type or name, or a reserved type. */
  constructor(definitions: Iterable<AnyDefinition>, options: MessageRegistryOptions = {}) {
    for (const def of definitions) {
      if (!options.allowReserved && def.type < FIRST_APPLICATION_TYPE) {
        throw new HearthError(
          ErrorCode.DEFINITION,
          `message "${def.name}" uses type ${def.type}; types below ${FIRST_APPLICATION_TYPE} are the framework's, use ${FIRST_APPLICATION_TYPE} or more`,
        );
      }
      const clash = this.#byType.get(def.type);
      if (clash !== undefined) {
        throw new HearthError(ErrorCode.DEFINITION, `messages "${clash.name}" and "${def.name}" both use type ${def.type}; give each its own type`);
      }
      if (this.#byName.has(def.name)) {
        throw new HearthError(ErrorCode.DEFINITION, `two messages are named "${def.name}"; names must be unique`);
      }
      this.#byType.set(def.type, def);
      this.#byName.set(def.name, def);
    }
  }

  /** The definition of a wire type, or undefined. */
  get(type: number): AnyDefinition | undefined {
    return this.#byType.get(type);
  }

  /** The definition of a name, or undefined. */
  byName(name: string): AnyDefinition | undefined {
    return this.#byName.get(name);
  }

  /** Whether a wire type is registered. */
  has(type: number): boolean {
    return this.#byType.has(type);
  }

  /** Number of definitions. */
  get size(): number {
    return this.#byType.size;
  }

  [Symbol.iterator](): Iterator<AnyDefinition> {
    return this.#byType.values();
  }

  /** A registry with this one's definitions and `more` (same checks). */
  extend(more: Iterable<AnyDefinition>, options: MessageRegistryOptions = {}): MessageRegistry {
    return new MessageRegistry([...this, ...more], { allowReserved: true, ...options });
  }
}
