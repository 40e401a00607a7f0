/*
 * The public surface: what a game developer uses (docs/actors.md, docs/architecture.md). The
 * machinery behind it (the player actor, the binder, the session machine, timers, the holder's
 * parts) is not exported; the package's own tests and benches import it from source paths.
 */
export { definePlayer, PlayerDefinition } from './player/definePlayer.ts';
export type { Handler, LeaveReason, PlayerHooks, PlayerSpec } from './player/definePlayer.ts';
export type { BroadcastOptions, Player } from './player/Player.ts';
export type { GameRegion, PlayerContext } from './player/PlayerContext.ts';
export type { MessageEvent } from './player/MessageEvent.ts';
export type { PlayerSnapshot, TimerKind } from './player/PlayerSnapshot.ts';
export { Holder } from './Holder.ts';
export type { HolderOptions, HolderStats } from './Holder.ts';
// Built by createNode; the type is exported for `node.binder.stats`.
export type { Binder, BinderStats } from './Binder.ts';
export { createNode } from './createNode.ts';
export { ClusterErrorCode, ClusterRequests } from './cluster/ClusterRequests.ts';
export type { ClusterRequestStats, NodeRequestHandler } from './cluster/ClusterRequests.ts';
export type { HearthNode, ListenSpec, ListeningEndpoint, ListeningService, NodeOptions } from './createNode.ts';
export { devAuthenticator, refuse } from './authenticate.ts';
export type { Admission, Authenticator, LoginContext, Refusal } from './authenticate.ts';
export { LoginThrottle } from './LoginThrottle.ts';
export type { LoginThrottleOptions } from './LoginThrottle.ts';
export { DEFAULT_GRACE, DEFAULT_HEARTBEAT_TIMEOUT, DEFAULT_LOGIN_TIMEOUT, DEFAULT_QUEUE_LIMIT, DEFAULT_TOKEN_LIFETIME } from './PlayerTimeouts.ts';
export type { PlayerTimeouts } from './PlayerTimeouts.ts';
export { MemoryBackplane, MemoryHub } from './backplane/MemoryBackplane.ts';
export type { Backplane, Directory, DirectoryEntry, Envelope } from './backplane/Backplane.ts';
export type {
  AppendResult,
  DiscardResult,
  ParkedPlayer,
  ResumedNotice,
  ResumeRecord,
  ResumeStore,
} from './backplane/ResumeStore.ts';
export { BackplaneErrorCode, backplaneUnavailable, isBackplaneDown } from './backplane/errors.ts';
// The Redis backplane is the `@hearth/actor/cluster` subpath (src/cluster/index.ts): not imported
// here, so a one-process server does not load ioredis.
export { defineRoom, RoomDefinition, DEFAULT_MAX_CATCH_UP, DEFAULT_TICK_HZ } from './room/RoomDefinition.ts';
export type { RoomHandler, RoomHooks, RoomSpec, TickHandler } from './room/RoomDefinition.ts';
export type { Room } from './room/Room.ts';
export type { RoomMember } from './room/RoomMember.ts';
// Types only: the node builds its room manager (`node.rooms`) and each player's handle (`player.rooms`).
export type { RoomManager } from './room/RoomManager.ts';
export { LEFT } from './room/RoomManager.ts';
export type { CreateRoomOptions, RoomLimits } from './room/RoomManager.ts';
export type { RoomPlacement } from './cluster/RoomDirectory.ts';
export { DEFAULT_LIST_LIMIT, DEFAULT_MAX_ROOMS_PER_PLAYER } from './room/RoomManager.ts';
export type { PlayerRooms } from './room/PlayerRooms.ts';
export { RoomErrorCode } from './room/errors.ts';
export type { SyncedState } from './room/SyncedState.ts';
export type { RestoredRoom, RoomFailover, RoomFailoverOptions } from './room/checkpoint/RoomFailover.ts';
export { DEFAULT_AWAY_GRACE_MS, DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_FAILOVER_CHECK_MS } from './room/checkpoint/RoomFailover.ts';
export type { RoomFailoverStats } from './room/checkpoint/RoomFailoverStats.ts';
export { DEFAULT_CHECKPOINT_EVERY } from './room/RoomDefinition.ts';
export { planTicks } from './room/FixedTicker.ts';
export { systemClock } from './time/Clock.ts';
export type { Clock } from './time/Clock.ts';
export { ResumeErrorCode } from './resume/refusals.ts';
export { RESUME_TOKEN_FORMAT, USER_ID_FORMAT, checkUserId, isResumeToken, isUserId } from './wireIds.ts';
export type { ServiceHandle, SessionClosed, SessionHandle } from './transport.ts';
