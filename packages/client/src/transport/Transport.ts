/** What a transport reports about one connection. */
export interface TransportSink {
  /** One inbound body (a TCP frame's payload or one binary WebSocket message); valid during the call. */
  body(body: Uint8Array): void;
  /**
   * The connection is gone (once). `code` is a Hearth code when the transport knows one (a
   * WebSocket close 4000 reason, `FRAME_TOO_LARGE`, `PROTOCOL_ERROR`), else undefined.
   */
  closed(code: string | undefined, text: string): void;
}

/** One open transport connection. */
export interface TransportLink {
  /** Sends one body; the link copies or sends it before returning (the caller may reuse it). */
  send(body: Uint8Array): void;
  /** Ends gracefully after what is queued; `code` goes where the transport has a close reason. */
  close(code: string): void;
  /** Ends at once. */
  destroy(): void;
}

/** Options every transport gets. */
export interface TransportOptions {
  /** Largest inbound body accepted, in bytes. */
  readonly maxFrameBytes: number;
  /** Give up connecting after this many ms. */
  readonly timeoutMs: number;
  /** TLS trust for `tls://` and `wss://` in Node (browsers use their own trust store). */
  readonly tls?: TlsOptions | undefined;
}

/** How a Node client trusts a TLS server (`tls://`, `wss://`). */
export interface TlsOptions {
  /** Certificate authorities to trust instead of Node's defaults (PEM), e.g. a self-signed certificate. */
  ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Name to verify the certificate against. @defaultValue the URL's host */
  servername?: string;
  /** Refuse a certificate that does not verify. Only turn off in a test. @defaultValue true */
  rejectUnauthorized?: boolean;
}

/**
 * Opens a connection to `url` and resolves once it is open (before the Hearth handshake). Rejects
 * with a `HearthError` (`CLOSED` when refused or unreachable, `HANDSHAKE_TIMEOUT` when slow).
 * Bodies and the close are reported to `sink` only after it resolved.
 */
export type Transport = (url: URL, sink: TransportSink, options: TransportOptions) => Promise<TransportLink>;
