/** What a link reports to its session. */
export interface LinkSink {
  /** `n` raw bytes arrived (before framing). */
  received(n: number): void;
  /**
   * One inbound body. `reused` is true when its memory is reused after the call (a pooled
   * assembly buffer): anything kept must be copied.
   */
  body(body: Uint8Array, reused: boolean): void;
  /** A transport control frame arrived (a WebSocket ping or pong): it counts against the rate limit. */
  control(): void;
  /** The transport saw bad input (`FRAME_TOO_LARGE`, `FRAME_EMPTY`, `PROTOCOL_ERROR`): the session must end. */
  fail(code: string, text: string): void;
  /**
   * The connection is gone. `code`/`text` are what the transport knows of why (a WebSocket close
   * reason, a socket error), or undefined.
   */
  closed(code: string | undefined, text: string): void;
}

/**
 * One connection's transport (TCP socket or WebSocket) as a session sees it: bodies in, bodies out.
 * Internal to `net`.
 */
export interface Link {
  readonly transport: 'tcp' | 'ws';
  /** `host:port` of the peer. */
  readonly remoteAddress: string;
  /** The peer's IP address as the socket reports it (per-address limits count by it), or undefined. */
  readonly remoteHost: string | undefined;
  /** Bytes accepted by `write*` and not yet handed to the kernel. */
  readonly queuedBytes: number;
  /** Starts delivering to `sink` (once). */
  start(sink: LinkSink): void;
  /** Sends one body (TCP adds the frame header). */
  writeBody(body: Uint8Array): void;
  /** Sends a body preceded by 4 reserved header bytes (TCP writes it as is; WebSocket drops them). */
  writeFramed(frame: Uint8Array): void;
  /** Ends gracefully after what is queued; `code` is given to transports with close reasons. */
  end(code: string): void;
  /** Ends at once. */
  destroy(): void;
}
