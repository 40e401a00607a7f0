import { BackplaneOp } from './BackplaneOp.ts';
import type { ClusterKeys } from './ClusterKeys.ts';
import type { PublishBatcher } from './PublishBatcher.ts';

/** A handler of the application messages sent to this node under one topic. */
export type NodeMessageHandler = (payload: unknown, fromNodeId: string) => void;

/** What {@link NodeMessages} uses of its backplane. */
export interface NodeMessagesOptions {
  readonly nodeId: string;
  readonly keys: ClusterKeys;
  readonly batcher: PublishBatcher;
  /** Throws `BACKPLANE_UNAVAILABLE` (or `BACKPLANE_CLOSED`) unless a message can be sent now. */
  readonly ensureUp: (what: string) => void;
}

/**
 * Application messages between nodes: a game's own cross-node protocol under named topics
 * (`sendToNode` / `onNodeMessage` of the backplane), batched with the backplane's own messages.
 * The receiving side is `BackplaneInbox` (op `APP`), which calls the {@link handlers} of the topic.
 * @internal RedisBackplane runs it
 */
export class NodeMessages {
  /** topic → handlers (read by the inbox). */
  readonly handlers = new Map<string, Set<NodeMessageHandler>>();
  readonly #o: NodeMessagesOptions;

  constructor(options: NodeMessagesOptions) {
    this.#o = options;
  }

  /**
   * Sends an application message to node `nodeId` under `topic` (a game's own cross-node protocol,
   * e.g. moves forwarded to the node that runs a room). Batched with the backplane's own messages:
   * one PUBLISH per node per turn. The receiver's `onNodeMessage(topic)` handlers get `payload`
   * (msgpack-encodable; binary values arrive as views valid only during the call) and this node's id.
   * @throws {HearthError} `BACKPLANE_UNAVAILABLE` while Redis is down (nothing is queued).
   */
  send(nodeId: string, topic: string, payload: unknown): void {
    this.#o.ensureUp(`send ${topic} to node ${nodeId}`);
    this.#o.batcher.add(this.#o.keys.nodeChannel(nodeId), BackplaneOp.APP, [topic, this.#o.nodeId, payload]);
  }

  /** Receives the application messages sent to this node under `topic`; returns the unsubscribe function. */
  on(topic: string, handler: NodeMessageHandler): () => void {
    let set = this.handlers.get(topic);
    if (set === undefined) this.handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Drops every handler (backplane close). */
  clear(): void {
    this.handlers.clear();
  }
}
