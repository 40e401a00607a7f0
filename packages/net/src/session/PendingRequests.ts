import { ErrorCode, HearthError } from '@hearth/protocol';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The requests a session sent and awaits replies to: request ids, one timeout each, and the
 * settling of a reply (`[3, rid, payload]`) or error reply (`[4, rid, code, text]`). The map is
 * made on the first request (bench/memory.ts: idle server sessions hold none).
 */
export class PendingRequests {
  #pending: Map<number, Pending> | undefined;
  #nextRid = 0;

  /** The next request id (1 … 0xffff_fffe, then wraps to 1). */
  nextRid(): number {
    return (this.#nextRid = this.#nextRid >= 0xffff_fffe ? 1 : this.#nextRid + 1);
  }

  /** Awaits the reply to `rid`; rejects with `TIMEOUT` after `ms`. */
  await(rid: number, type: number, ms: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending?.delete(rid);
        reject(new HearthError(ErrorCode.TIMEOUT, `no reply to request type ${type} within ${ms} ms; raise "timeout"`));
      }, ms);
      (this.#pending ??= new Map()).set(rid, { resolve, reject, timer });
    });
  }

  /** Settles `rid` with a reply (`error` undefined) or a coded error; a reply to nothing (timed out) is ignored. */
  settle(rid: number, payload: unknown, error?: { readonly code: string; readonly text: string }): void {
    const pending = this.#pending?.get(rid);
    if (pending === undefined) return;
    this.#pending!.delete(rid);
    clearTimeout(pending.timer);
    if (error === undefined) pending.resolve(payload);
    else pending.reject(new HearthError(error.code, error.text));
  }

  /** Rejects every request still awaiting (the session closed with `code`). */
  rejectAll(sessionId: number, code: string): void {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending === undefined) return;
    for (const [rid, p] of pending) {
      clearTimeout(p.timer);
      p.reject(new HearthError(ErrorCode.CLOSED, `session ${sessionId} closed (${code}) before request ${rid} was answered`));
    }
  }
}
