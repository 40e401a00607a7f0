/** A listening endpoint made by `service.accept` (the acceptor). */
export interface Acceptor {
  /** The address with the real port, e.g. `tcp://127.0.0.1:40123`. */
  readonly address: string;
  /** The real port. */
  readonly port: number;
  /** `tcp` or `ws`. */
  readonly transport: 'tcp' | 'ws';
  /** Protocol name of its sessions. */
  readonly protocol: string;
  /** Connections (handshaking or open) made through it now. */
  readonly connections: number;
  /** Stops listening; its sessions stay open (use `service.close` to end them). Idempotent. */
  close(): Promise<void>;
}
