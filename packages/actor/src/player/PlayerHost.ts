import type { AnyDefinition, Payload } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { AnyActorRef } from 'xstate';
import type { Authenticator } from '../authenticate.ts';
import type { ResolvedTimeouts } from '../PlayerTimeouts.ts';
import type { Clock } from '../time/Clock.ts';
import type { SessionHandle } from '../transport.ts';
import type { BroadcastOptions } from './Player.ts';
import type { PlayerActor } from './PlayerActor.ts';
import type { PlayerTimers } from './PlayerTimer.ts';

/** How a resume ended: attached (`true`), or the coded refusal to answer the resume request with. */
export type ResumeOutcome = true | { readonly code: string; readonly text: string };

/** What a player actor needs of its holder. @internal (implemented by `Holder`) */
export interface PlayerHost {
  readonly logger: Logger;
  readonly timeouts: ResolvedTimeouts;
  /** The time of every timer, age and lifetime of the node's actors. */
  readonly clock: Clock;
  readonly authenticator: Authenticator;
  /** The xstate actor every player actor is a child of (one system per node, not one per player). */
  readonly root: AnyActorRef;
  /** The timers of the player actors: login, heartbeat check, grace (one queue per kind, not one timer per actor). */
  readonly timers: PlayerTimers;
  /** Maps a session id to the actor (inbound messages and close events find it). */
  bindSession(sessionId: number, player: PlayerActor): void;
  /** Forgets a session id if it still maps to `player`. */
  unbindSession(sessionId: number, player: PlayerActor): void;
  /** Makes `player` the holder of `userId`, ending an older actor of the same user first. */
  claim(userId: string, player: PlayerActor): Promise<void>;
  /**
   * Resumes the actor holding `token` with `ref` (on this node, or claimed from the cluster's resume
   * records); `from` is the not-logged-in actor whose connection it takes over.
   */
  resume(token: string, ref: SessionHandle, rid: number, from: PlayerActor): ResumeOutcome | Promise<ResumeOutcome>;
  /** A wire string (`what`: resume token, user id) failed its format check: counted, logged at debug. */
  rejectedWireId(what: string, value: unknown): void;
  /** A new resume token for `player` (the old one stops working). */
  issueToken(player: PlayerActor, previous: string | undefined): string;
  /** `player` entered grace (its connection dropped): park it where other nodes can resume it. */
  park(player: PlayerActor): void;
  /** A push was queued for `player` in grace (`bytes`, an encoded message): mirror it to the parked record. */
  queued(player: PlayerActor, bytes: Uint8Array): void;
  /**
   * The grace timer of `player` fired. False: end it now. True: the holder settles the parked record
   * first and then calls `player.expireGrace()` (or `player.movedAway()` if it resumed elsewhere).
   */
  graceExpiring(player: PlayerActor): boolean;
  /** The actor reached `closed`. */
  remove(player: PlayerActor): void;
  send<D extends AnyDefinition>(userId: string, definition: D, payload: Payload<D>): boolean;
  deliver<D extends AnyDefinition>(userId: string, definition: D, payload: Payload<D>): Promise<boolean>;
  broadcast<D extends AnyDefinition>(
    group: string,
    definition: D,
    payload: Payload<D>,
    options?: BroadcastOptions & { from?: PlayerActor },
  ): number;
  joinGroup(group: string, player: PlayerActor): void;
  leaveGroup(group: string, player: PlayerActor): void;
}
