import { createHmac, timingSafeEqual } from 'node:crypto';

/** Bytes of the HMAC-SHA256 tag appended to every signed backplane message. */
export const TAG_BYTES = 32;

/**
 * Authenticates backplane messages with a shared cluster secret, so that a client with access to
 * Redis (but not the secret) cannot forge pushes, kicks, events or resume notices: every published
 * body gets an HMAC-SHA256 tag over `u32 channel length ‖ channel ‖ body` appended (the channel is
 * covered, so a message cannot be moved to another node's or group's channel). A receiver drops a
 * body whose tag does not verify under any of its secrets (the first signs; the others only verify,
 * which lets a cluster rotate its secret without a flag day).
 *
 * Not covered: replay. Anyone who can read the channels can re-publish a captured message as is;
 * keep Redis private (ACL, TLS) — see docs/security.md, "Cluster trust".
 * @internal part of `RedisBackplane` (option `clusterSecret`)
 */
export class EnvelopeSigner {
  readonly #keys: readonly Buffer[];

  /** @throws {TypeError} when no secret is given or one is shorter than 16 bytes. */
  constructor(secrets: string | Uint8Array | readonly (string | Uint8Array)[]) {
    const list = typeof secrets === 'string' || secrets instanceof Uint8Array ? [secrets] : [...secrets];
    if (list.length === 0) throw new TypeError('clusterSecret: give at least one secret');
    this.#keys = list.map((s, i) => {
      const key = typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
      if (key.length < 16) throw new TypeError(`clusterSecret[${i}] is ${key.length} bytes; use at least 16 (32 random bytes recommended)`);
      return key;
    });
  }

  /** `body ‖ tag` for `channel`, signed with the first secret. */
  sign(channel: string, body: Buffer): Buffer {
    const name = Buffer.from(channel, 'utf8');
    const out = Buffer.allocUnsafe(body.length + TAG_BYTES);
    body.copy(out, 0);
    this.#mac(this.#keys[0]!, name, body).copy(out, body.length);
    return out;
  }

  /** The body of a signed message (a view), or undefined when it is unsigned or its tag verifies under no secret. */
  open(channel: Buffer, message: Buffer): Buffer | undefined {
    if (message.length < TAG_BYTES) return undefined;
    const body = message.subarray(0, message.length - TAG_BYTES);
    const tag = message.subarray(message.length - TAG_BYTES);
    for (const key of this.#keys) if (timingSafeEqual(this.#mac(key, channel, body), tag)) return body;
    return undefined;
  }

  #mac(key: Buffer, channel: Buffer, body: Buffer): Buffer {
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32BE(channel.length, 0);
    return createHmac('sha256', key).update(len).update(channel).update(body).digest();
  }
}
