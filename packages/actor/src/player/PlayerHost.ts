import type { AnyDefinition, Payload } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { AnyActorRef, EventObject } from 'xstate';
import type { Authenticator } from '../authenticate.ts';
import type { ResolvedTimeouts } from '../PlayerTimeouts.ts';
import type { SessionHandle } from '../transport.ts';
import type { BroadcastOptions } from './Player.ts';
import type { PlayerActor } from './PlayerActor.ts';

/** What a player actor needs of its holder. @internal (implemented by `Holder`) */
export interface PlayerHost {
  readonly logger: Logger;
  readonly timeouts: ResolvedTimeouts;
  readonly authenticator: Authenticator;
  /** The xstate actor every player actor is a child of (one system per node, not one per player). */
  readonly root: AnyActorRef;
  /** Maps a session id to the actor (inbound messages and close events find it). */
  bindSession(sessionId: number, player: PlayerActor): void;
  /** Forgets a session id if it still maps to `player`. */
  unbindSession(sessionId: number, player: PlayerActor): void;
  /** Makes `player` the holder of `userId`, ending an older actor of the same user first. */
  claim(userId: string, player: PlayerActor): Promise<void>;
  /** Resumes the actor holding `token` with `ref`; false when no actor holds it. */
  resume(token: string, ref: SessionHandle, rid: number, from: PlayerActor): boolean;
  /** A new resume token for `player` (the old one stops working). */
  issueToken(player: PlayerActor, previous: string | undefined): string;
  /** The actor reached `closed`. */
  remove(player: PlayerActor): void;
  send<D extends AnyDefinition>(userId: string, definition: D, payload: Payload<D>): boolean;
  broadcast<D extends AnyDefinition>(
    group: string,
    definition: D,
    payload: Payload<D>,
    options?: BroadcastOptions & { from?: PlayerActor },
  ): number;
  joinGroup(group: string, player: PlayerActor): void;
  leaveGroup(group: string, player: PlayerActor): void;
  /** Statechart events sent to a user (`holder.dispatch`). */
  dispatch(userId: string, event: EventObject): boolean;
}
