/**
 * What node-to-node requests ({@link ClusterRequests}) need from a backplane: addressed node
 * messages, the "down" event and the node registry. `RedisBackplane` has it; the in-memory
 * backplane does not (a lone node only answers its own requests). No ioredis import here: the
 * node's main entry uses this file.
 */
export interface NodeTransport {
  readonly nodeId: string;
  /** False while Redis is down. */
  readonly available: boolean;
  /** Sends `payload` to node `nodeId` under `topic` (batched); throws `BACKPLANE_UNAVAILABLE` while down. */
  sendToNode(nodeId: string, topic: string, payload: unknown): void;
  /** Receives the messages sent to this node under `topic`; returns the unsubscribe function. */
  onNodeMessage(topic: string, handler: (payload: unknown, fromNodeId: string) => void): () => void;
  on(event: 'down', listener: (error: Error | undefined) => void): () => void;
  /** Whether `nodeId` is in the node registry (registration not lapsed). */
  isNodeLive(nodeId: string): Promise<boolean>;
}

/** The backplane as a {@link NodeTransport}, when it is one (duck-typed: `RedisBackplane`). */
export function nodeTransportOf(backplane: unknown): NodeTransport | undefined {
  if (typeof backplane !== 'object' || backplane === null) return undefined;
  const b = backplane as Partial<NodeTransport>;
  return typeof b.sendToNode === 'function' && typeof b.onNodeMessage === 'function' && typeof b.isNodeLive === 'function' && typeof b.on === 'function'
    ? (backplane as NodeTransport)
    : undefined;
}
