/**
 * The bytes-level channel a finished handshake yields (structurally the `Channel` of
 * `@hearth/protocol`): identity for plain protocols, authenticated encryption for secure ones.
 */
export interface SessionChannel {
  /** True when bodies are encrypted. */
  readonly secure: boolean;
  /** Turns an outbound batch body into the body sent on the wire. May return its input (plain). */
  seal(plain: Uint8Array): Uint8Array;
  /** Turns an inbound wire body into a batch body. @throws {HearthError} `BAD_MAC` */
  open(body: Uint8Array): Uint8Array;
}

/** The dialling side of a handshake: sends `hello()`, then hands the server's reply to `receive`. */
export interface ClientHandshaker {
  hello(): Uint8Array;
  /** @throws {HearthError} with the server's code when it refused (`SERVER_FULL`, ...), or `HANDSHAKE_FAILED`. */
  receive(body: Uint8Array): SessionChannel;
}

/** The accepting side of a handshake: answers the client's hello. */
export interface ServerHandshaker {
  /** @throws {HearthError} when the hello is refused; {@link ProtocolFactory.refusal} gives the body to send back. */
  receive(hello: Uint8Array): { reply: Uint8Array; channel: SessionChannel };
}

/** What a server-side handshake gets from `accept(address, name, options)`. */
export interface ServerProtocolOptions {
  /** Long-term signing secret key (64-byte nacl) of the server, for secure protocols. */
  signingSecretKey?: Uint8Array;
}

/** What a client-side handshake gets from `connect(address, name, options)`. */
export interface ClientProtocolOptions {
  /** The server's public signing key (32 bytes): the client refuses any other server. */
  serverSigningKey?: Uint8Array;
}

/**
 * A named protocol: how a connection's handshake is made on each side and how a refusal is
 * written. Framing (TCP length prefix / one WebSocket message per body) and message encoding
 * (`BatchWriter` / `decodeBatch`) are the same for every protocol.
 *
 * @example
 * service.protocols.register('my-proto', { client: () => ..., server: () => ..., refusal: (code, text) => ... });
 */
export interface ProtocolFactory {
  /** A client handshake for one connection. */
  client(options: ClientProtocolOptions): ClientHandshaker;
  /** A server handshake for one connection. */
  server(options: ServerProtocolOptions): ServerHandshaker;
  /**
   * The body a server sends instead of a handshake reply to refuse a connection (`SERVER_FULL`,
   * `HANDSHAKE_TIMEOUT`, a failed handshake): the client's `receive` throws a HearthError with `code`.
   */
  refusal(code: string, text: string): Uint8Array;
}
