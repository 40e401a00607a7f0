import { ErrorCode, HearthError } from '@hearth/protocol';
import type { ProtocolFactory } from './ProtocolFactory.ts';

/**
 * Protocol factories by name. A service starts with the built-in ones (`msgpack`,
 * `msgpack+nacl`); adding a protocol is registering a name.
 *
 * @example
 * const protocols = new ProtocolRegistry(builtinProtocols());
 * protocols.register('msgpack+custom', myFactory);
 */
export class ProtocolRegistry {
  readonly #factories = new Map<string, ProtocolFactory>();

  constructor(entries: Iterable<readonly [string, ProtocolFactory]> = []) {
    for (const [name, factory] of entries) this.register(name, factory);
  }

  /**
   * Adds a protocol.
   * @throws {HearthError} `DEFINITION` when the name is taken.
   */
  register(name: string, factory: ProtocolFactory): this {
    if (this.#factories.has(name)) {
      throw new HearthError(ErrorCode.DEFINITION, `protocol "${name}" is already registered; pick another name`);
    }
    this.#factories.set(name, factory);
    return this;
  }

  /** True when `name` is registered. */
  has(name: string): boolean {
    return this.#factories.has(name);
  }

  /** Registered names. */
  names(): string[] {
    return [...this.#factories.keys()];
  }

  /**
   * The factory registered as `name`.
   * @throws {HearthError} `DEFINITION` naming the registered protocols.
   */
  get(name: string): ProtocolFactory {
    const factory = this.#factories.get(name);
    if (factory === undefined) {
      throw new HearthError(
        ErrorCode.DEFINITION,
        `unknown protocol "${name}"; registered: ${this.names().join(', ') || '(none)'} (register it with service.protocols.register)`,
      );
    }
    return factory;
  }
}
