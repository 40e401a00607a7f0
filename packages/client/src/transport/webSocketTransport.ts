import { ErrorCode, HearthError } from '@hearth/protocol';
import type { Transport, TransportLink } from './Transport.ts';

/** WebSocket close code that carries a Hearth code as its reason (docs/protocol.md §2). */
export const WS_CLOSE_HEARTH = 4000;
const WS_CLOSE_TOO_BIG = 1009;

/** The part of the WHATWG `WebSocket` the client uses (browsers, Node ≥ 22, and the `ws` package). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message?: string; error?: { code?: string } }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** A `WebSocket` constructor; the third argument is only read by the `ws` package (Node). */
export type WebSocketConstructor = new (url: string, protocols?: string[], options?: object) => WebSocketLike;

/**
 * The WebSocket transport over a given `WebSocket` class: one binary message per body. A text
 * message is a `PROTOCOL_ERROR`; `close()` sends close code 4000 with the Hearth code as reason.
 */
export function webSocketTransport(WebSocketClass: WebSocketConstructor): Transport {
  return (url, sink, options) =>
    new Promise((resolve, reject) => {
      // Third argument: options of the `ws` package (ignored by browsers).
      const ws = new WebSocketClass(url.href, [], { maxPayload: options.maxFrameBytes, perMessageDeflate: false, ...options.tls });
      ws.binaryType = 'arraybuffer';
      let open = false;
      let closed = false;
      let failure: { code: string; text: string } | undefined;
      const timer = setTimeout(() => {
        ws.onclose = null;
        ws.close();
        reject(new HearthError(ErrorCode.HANDSHAKE_TIMEOUT, `no WebSocket connection to ${url.href} within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      const link: TransportLink = {
        send: (body) => {
          if (ws.readyState === 1) ws.send(body);
        },
        close: (code) => {
          if (ws.readyState <= 1) ws.close(WS_CLOSE_HEARTH, code.slice(0, 120));
        },
        destroy: () => {
          if (ws.readyState <= 1) ws.close();
          finish(failure?.code, failure?.text ?? 'closed by this side');
        },
      };
      const finish = (code: string | undefined, text: string): void => {
        if (closed) return;
        closed = true;
        sink.closed(code, text);
      };
      ws.onopen = () => {
        clearTimeout(timer);
        open = true;
        resolve(link);
      };
      ws.onmessage = (event) => {
        const data = event.data;
        if (!(data instanceof ArrayBuffer)) {
          failure = { code: ErrorCode.PROTOCOL_ERROR, text: 'text WebSocket message: every body is one binary message' };
          link.destroy();
          return;
        }
        if (data.byteLength > options.maxFrameBytes) {
          failure = { code: ErrorCode.FRAME_TOO_LARGE, text: `message of ${data.byteLength} B > maxFrameBytes ${options.maxFrameBytes}` };
          link.destroy();
          return;
        }
        if (!closed) sink.body(new Uint8Array(data));
      };
      let lastError: { message?: string; error?: { code?: string } } | undefined;
      ws.onerror = (event) => {
        // The close event follows; browsers say nothing more, the `ws` package names the cause.
        lastError = event;
      };
      ws.onclose = (event) => {
        if (!open) {
          clearTimeout(timer);
          const why = lastError?.message ?? '';
          const certificate = /certificate|self[- ]signed|CERT_/i.test(`${why} ${lastError?.error?.code ?? ''}`);
          reject(
            certificate
              ? new HearthError(ErrorCode.HANDSHAKE_FAILED, `TLS to ${url.href}: ${why}; trust the server's certificate with the "tls.ca" option`)
              : new HearthError(ErrorCode.CLOSED, `cannot connect to ${url.href} (WebSocket close ${event.code}${why ? `: ${why}` : ''})`),
          );
          return;
        }
        if (failure !== undefined) finish(failure.code, failure.text);
        else if (event.code === WS_CLOSE_HEARTH && event.reason !== '') finish(event.reason, 'closed by the server');
        else if (event.code === WS_CLOSE_TOO_BIG) finish(ErrorCode.FRAME_TOO_LARGE, 'message too big (WebSocket 1009)');
        else finish(undefined, `WebSocket closed (${event.code})`);
      };
    });
}
