import { decodeBatch, Kind } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { Envelope } from '../backplane/Backplane.ts';
import { isUserId } from '../wireIds.ts';
import { BackplaneOp } from './BackplaneOp.ts';
import type { ClusterKeys } from './ClusterKeys.ts';
import type { EnvelopeSigner } from './EnvelopeSigner.ts';
import type { PublishBatcher } from './PublishBatcher.ts';
import type { RedisDirectory } from './RedisDirectory.ts';
import type { RedisResumeStore } from './RedisResumeStore.ts';
import type { BackplaneStats } from './types.ts';

/** At most one "message rejected" warning per this many ms (a flood would otherwise log per message). */
const WARN_REJECTED_EVERY_MS = 5_000;

/** What the inbox works with (the backplane's parts). */
export interface InboxContext {
  readonly nodeId: string;
  readonly keys: ClusterKeys;
  readonly directory: RedisDirectory;
  readonly resumes: RedisResumeStore;
  readonly batcher: PublishBatcher;
  readonly stats: BackplaneStats;
  readonly log: Logger | undefined;
  readonly signer: EnvelopeSigner | undefined;
  readonly appHandlers: ReadonlyMap<string, ReadonlySet<(payload: unknown, fromNodeId: string) => void>>;
  available(): boolean;
  /** Hands an envelope to the holder. */
  deliver(envelope: Envelope): void;
}

/**
 * The receiving side of a {@link RedisBackplane}: verifies (with `clusterSecret`), decodes (bounded)
 * and checks every message from Redis before it becomes an envelope for the holder, a resume
 * notice, or a node message. Whatever fails a check is dropped and counted in `stats.rejected`.
 */
export class BackplaneInbox {
  readonly #c: InboxContext;
  #lastRejectWarn = 0;

  constructor(context: InboxContext) {
    this.#c = context;
  }

  /** One message from the node's or a group's channel. */
  receive(channel: Buffer, message: Buffer): void {
    let body = message;
    if (this.#c.signer !== undefined) {
      const opened = this.#c.signer.open(channel, message);
      if (opened === undefined) return this.#rejected('unsigned or forged backplane message dropped (clusterSecret)', channel);
      body = opened;
    }
    try {
      decodeBatch(body, (m) => {
        if (m.kind !== Kind.PUSH) return;
        this.#c.stats.messagesIn++;
        this.#dispatch(m.type, m.payload as unknown[]);
      });
    } catch (e) {
      // Bounded decode (docs/protocol.md, "Decoding limits"): a hostile body costs O(its bytes), then is counted here.
      this.#rejected(`malformed backplane message dropped: ${(e as Error).message}`, channel);
    }
  }

  /** Counts a message dropped on receipt; warns at most once per 5 s. */
  #rejected(text: string, channel?: Buffer): void {
    this.#c.stats.rejected++;
    const now = Date.now();
    if (now - this.#lastRejectWarn < WARN_REJECTED_EVERY_MS) return;
    this.#lastRejectWarn = now;
    this.#c.log?.warn({ channel: channel?.toString('latin1').slice(0, 128), rejected: this.#c.stats.rejected }, text);
  }

  #dispatch(op: number, a: unknown[]): void {
    switch (op) {
      case BackplaneOp.PUSH: {
        const [userId, bytes, hops] = a as [string, Uint8Array, number];
        if (!isUserId(userId) || !(bytes instanceof Uint8Array)) return this.#rejected('push with a malformed user id dropped');
        if (this.#c.directory.has(userId) || hops > 0) {
          this.#c.deliver({ kind: 'push', userId, bytes });
          return;
        }
        // Not registered here (moved or logged out since the sender's cache was filled): follow the directory once.
        this.#c.directory.invalidate(userId);
        const copy = new Uint8Array(bytes); // a copy (Buffer#slice would not be): the view dies with this callback
        this.#c.directory.locate(userId).then((found) => {
          const nodeId = found?.nodeId;
          // nowhere else: let the holder decide (it drops pushes for users it does not hold)
          if (nodeId === undefined || nodeId === this.#c.nodeId || !this.#c.available()) return this.#c.deliver({ kind: 'push', userId, bytes: copy });
          this.#c.stats.forwarded++;
          this.#c.batcher.add(this.#c.keys.nodeChannel(nodeId), BackplaneOp.PUSH, [userId, copy, hops + 1]);
        }, () => {});
        return;
      }
      case BackplaneOp.GROUP: {
        const [group, bytes, origin, except] = a as [string, Uint8Array, string, string | null];
        if (origin === this.#c.nodeId) return; // our own broadcast, already delivered locally by the holder
        this.#c.deliver(except === null ? { kind: 'group', group, bytes } : { kind: 'group', group, bytes, exceptUserId: except });
        return;
      }
      case BackplaneOp.KICK: {
        const [userId, sessionId, code, text] = a as [string, number, string, string];
        if (!isUserId(userId) || typeof sessionId !== 'number' || typeof code !== 'string') return this.#rejected('malformed kick dropped');
        this.#c.directory.kicked(userId, sessionId);
        this.#c.deliver({ kind: 'kick', userId, sessionId, code, text });
        return;
      }
      case BackplaneOp.EVENT: {
        const [userId, event] = a as [string, Extract<Envelope, { kind: 'event' }>['event']];
        // Lifecycle events (`hearth.*`) are the framework's own: never taken from another node.
        const type = (event as { type?: unknown } | null)?.type;
        if (!isUserId(userId) || typeof type !== 'string' || type.startsWith('hearth.')) return this.#rejected('malformed event dropped');
        this.#c.deliver({ kind: 'event', userId, event });
        return;
      }
      case BackplaneOp.RESUMED: {
        const [token, userId, nodeId] = a as [string, string, string];
        // (the key alphabet, as ClusterKeys checks it: the store's own tokens may be shorter than the holder's)
        if (!isUserId(token) || typeof nodeId !== 'string') return this.#rejected('malformed resume notice dropped');
        this.#c.resumes.notify({ token, userId, nodeId });
        return;
      }
      case BackplaneOp.APP: {
        const [topic, from, payload] = a as [string, string, unknown];
        const handlers = this.#c.appHandlers.get(topic);
        if (handlers === undefined) return;
        for (const h of handlers) {
          try {
            h(payload, from);
          } catch (e) {
            this.#c.log?.warn({ err: e, topic }, 'node message handler threw');
          }
        }
        return;
      }
      default:
        this.#c.log?.debug({ op }, 'unknown backplane op dropped');
    }
  }
}
