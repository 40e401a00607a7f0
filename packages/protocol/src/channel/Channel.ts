/**
 * What a completed handshake gives each side: it turns plaintext bodies into the bodies sent on the
 * wire and back. One channel per connection; it is stateful (secure channels count bodies), so
 * every body sent must be sealed in order and every body received opened in order.
 */
export interface Channel {
  /** Whether bodies are encrypted (`"msgpack+nacl"`) or sent as they are (`"msgpack"`). */
  readonly secure: boolean;
  /** The wire body for a plaintext batch. A plain channel returns `plain` itself (no copy). */
  seal(plain: Uint8Array): Uint8Array;
  /**
   * The plaintext batch of a received wire body. A plain channel returns `body` itself.
   * @throws {HearthError} `BAD_MAC` when a secure body fails to authenticate (tampered, replayed,
   * dropped or reordered): close the connection.
   */
  open(body: Uint8Array): Uint8Array;
}
