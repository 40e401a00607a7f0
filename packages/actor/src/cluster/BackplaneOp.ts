/** Operation codes of backplane messages (the `type` of each `[0, op, payload]` in a published batch). */
export const BackplaneOp = {
  /** Envelope `push`: `[userId, message, hops]` to the node holding the user. */
  PUSH: 1,
  /** Envelope `group`: `[group, message, originNode, except | null]` on a group channel. */
  GROUP: 2,
  /** Envelope `kick`: `[userId, sessionId, code, text]` to the node holding the older session. */
  KICK: 3,
  /** Envelope `event`: `[userId, event]`. */
  EVENT: 4,
  /** `[token, userId, byNode]` to the node that parked a resume record (see `ResumeStore.onResumed`). */
  RESUMED: 5,
  /** An application message to a node (`RedisBackplane.sendToNode`): `[topic, fromNode, payload]`. */
  APP: 6,
} as const;
/** One of {@link BackplaneOp}. */
export type BackplaneOp = (typeof BackplaneOp)[keyof typeof BackplaneOp];
