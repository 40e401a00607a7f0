import type { InboundMessage } from '@hearth/protocol';
import type { SessionRef } from '../SessionRef.ts';
import type { CloseEvent, CloseHandler, ErrorEvent, ErrorHandler, MessageHandler, OpenHandler } from './topics.ts';

/**
 * The topics of one service. Handler lists are copied on change (not on publish), so a handler
 * may subscribe or unsubscribe while being called. A handler that throws does not stop the others;
 * its error goes to the `error` topic (an `error` handler that throws is reported to `onLost`).
 */
export class TopicBus {
  #open: readonly OpenHandler[] = [];
  #close: readonly CloseHandler[] = [];
  #message: readonly MessageHandler[] = [];
  /**
   * The one message handler when there is exactly one and no typed ones (a game node: the binder),
   * called directly instead of walking the lists (bench/run.ts, echo through the full stack).
   */
  #only: MessageHandler | undefined;
  #error: readonly ErrorHandler[] = [];
  readonly #closeById = new Map<number, readonly CloseHandler[]>();
  readonly #messageByType = new Map<number, readonly MessageHandler[]>();
  readonly #onLost: (error: unknown) => void;

  /** @param onLost receives errors thrown by `error` handlers (or errors with no `error` handler). */
  constructor(onLost: (error: unknown) => void) {
    this.#onLost = onLost;
  }

  subOpen(handler: OpenHandler): () => void {
    this.#open = [...this.#open, handler];
    return () => (this.#open = this.#open.filter((h) => h !== handler));
  }

  subClose(handler: CloseHandler): () => void {
    this.#close = [...this.#close, handler];
    return () => (this.#close = this.#close.filter((h) => h !== handler));
  }

  subCloseOf(id: number, handler: CloseHandler): () => void {
    this.#closeById.set(id, [...(this.#closeById.get(id) ?? []), handler]);
    return () => {
      const left = (this.#closeById.get(id) ?? []).filter((h) => h !== handler);
      if (left.length === 0) this.#closeById.delete(id);
      else this.#closeById.set(id, left);
    };
  }

  subMessage(handler: MessageHandler): () => void {
    this.#message = [...this.#message, handler];
    this.#updateOnly();
    return () => {
      this.#message = this.#message.filter((h) => h !== handler);
      this.#updateOnly();
    };
  }

  subMessageOf(type: number, handler: MessageHandler): () => void {
    this.#messageByType.set(type, [...(this.#messageByType.get(type) ?? []), handler]);
    this.#updateOnly();
    return () => {
      const left = (this.#messageByType.get(type) ?? []).filter((h) => h !== handler);
      if (left.length === 0) this.#messageByType.delete(type);
      else this.#messageByType.set(type, left);
      this.#updateOnly();
    };
  }

  subError(handler: ErrorHandler): () => void {
    this.#error = [...this.#error, handler];
    return () => (this.#error = this.#error.filter((h) => h !== handler));
  }

  publishOpen(ref: SessionRef): void {
    for (const h of this.#open) {
      try {
        h(ref);
      } catch (error) {
        this.publishError({ id: ref.id, error: asError(error) });
      }
    }
  }

  /** Tells the subscribers of this id (then forgets them: the id is gone), then the global ones. */
  publishClose(event: CloseEvent): void {
    const own = this.#closeById.get(event.id);
    if (own !== undefined) {
      this.#closeById.delete(event.id);
      for (const h of own) this.#callClose(h, event);
    }
    for (const h of this.#close) this.#callClose(h, event);
  }

  /**
   * Delivers an inbound push or request; returns how many handlers took it (a handler that
   * returned `false` did not; one that threw did).
   */
  publishMessage(ref: SessionRef, message: InboundMessage): number {
    const only = this.#only;
    if (only !== undefined) return this.#callMessage(only, ref, message);
    const typed = this.#messageByType.get(message.type);
    let n = 0;
    if (typed !== undefined) for (const h of typed) n += this.#callMessage(h, ref, message);
    for (const h of this.#message) n += this.#callMessage(h, ref, message);
    return n;
  }

  publishError(event: ErrorEvent): void {
    if (this.#error.length === 0) {
      this.#onLost(event.error);
      return;
    }
    for (const h of this.#error) {
      try {
        h(event);
      } catch (error) {
        this.#onLost(error);
      }
    }
  }

  #callMessage(h: MessageHandler, ref: SessionRef, message: InboundMessage): number {
    try {
      return h(ref, message) === false ? 0 : 1;
    } catch (error) {
      this.publishError({ id: ref.id, error: asError(error) });
      return 1;
    }
  }

  #updateOnly(): void {
    this.#only = this.#messageByType.size === 0 && this.#message.length === 1 ? this.#message[0] : undefined;
  }

  #callClose(h: CloseHandler, event: CloseEvent): void {
    try {
      h(event);
    } catch (error) {
      this.publishError({ id: event.id, error: asError(error) });
    }
  }
}

/** `error` as an Error (wrapping thrown non-errors). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
