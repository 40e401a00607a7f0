import type { AnyDefinition, Payload, Reply } from '@hearth/protocol';
import type { SessionInfo } from '../SessionInfo.ts';
import type { RequestOptions, SessionRef } from '../SessionRef.ts';
import { closedError, type Session } from './Session.ts';

/**
 * The {@link SessionRef} implementation: an id plus the service's table of open sessions. Each
 * call looks the id up in that table (one Map lookup), so a ref never keeps a closed session alive
 * and never reaches it.
 */
export class Ref implements SessionRef {
  readonly id: number;
  readonly #table: ReadonlyMap<number, Session>;

  constructor(id: number, table: ReadonlyMap<number, Session>) {
    this.id = id;
    this.#table = table;
  }

  get alive(): boolean {
    return this.#table.get(this.id)?.isOpen ?? false;
  }

  info(): SessionInfo | undefined {
    return this.#table.get(this.id)?.info();
  }

  get lastInboundAt(): number {
    return this.#table.get(this.id)?.lastInboundAt ?? -1;
  }

  get bytesIn(): number {
    return this.#table.get(this.id)?.bytesIn ?? -1;
  }

  send<D extends AnyDefinition>(definition: D, payload: Payload<D>): boolean {
    return this.#table.get(this.id)?.send(definition.type, payload) ?? false;
  }

  request<D extends AnyDefinition>(definition: D, payload: Payload<D>, options?: RequestOptions): Promise<Reply<D>> {
    const session = this.#table.get(this.id);
    if (session === undefined) return Promise.reject(closedError(this.id));
    return session.request(definition.type, payload, options?.timeout) as Promise<Reply<D>>;
  }

  reply(rid: number, payload: unknown): boolean {
    return this.#table.get(this.id)?.reply(rid, payload) ?? false;
  }

  replyError(rid: number, code: string, text: string): boolean {
    return this.#table.get(this.id)?.replyError(rid, code, text) ?? false;
  }

  sendEncoded(bytes: Uint8Array, count = 1): boolean {
    return this.#table.get(this.id)?.sendEncoded(bytes, count) ?? false;
  }

  ping(t: number = Date.now()): boolean {
    return this.#table.get(this.id)?.ping(t) ?? false;
  }

  close(code: string, text = ''): void {
    const session = this.#table.get(this.id);
    if (session === undefined) return;
    session.closeByUser(code, text);
  }

  toJSON(): { id: number; alive: boolean } {
    return { id: this.id, alive: this.alive };
  }
}
