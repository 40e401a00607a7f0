import { assign, setup } from 'xstate';
import type { AnyStateMachine } from 'xstate';
import { ErrorCode } from '@hearth/protocol';
import type { ResolvedTimeouts } from '../PlayerTimeouts.ts';
import type { SessionEffects } from './SessionEffects.ts';
import { RESUMED_ELSEWHERE, TERMINAL_CLOSE_CODES, type SessionEvent } from './SessionEvent.ts';

/** Context of the session machine (the game's data and helpers live beside the lifecycle fields). */
export interface SessionContext {
  /**
   * Id of the session that created the actor (a resumed actor keeps it, also on another node; the
   * live one is `player.sessionId`).
   */
  readonly sessionId: number;
  /** Set on login. */
  userId: string | undefined;
  /** The game's per-player data. */
  data: unknown;
  /** The handle game code uses (`push`, `sendTo`, `join`, ...): the player actor. */
  readonly player: unknown;
  /** Where the machine's named actions are performed: the player actor. */
  readonly effects: SessionEffects;
  readonly timeouts: ResolvedTimeouts;
}

/** Input of the session machine. */
export interface SessionInput {
  sessionId: number;
  timeouts: ResolvedTimeouts;
  effects: SessionEffects;
  player?: unknown;
  data?: unknown;
}

/** Name of the history state added to the game region so that a resume restores the game's state. */
export const GAME_HISTORY = 'resumeHistory';

/** The game region used when the application gives none: one state, `playing`. */
export const DEFAULT_GAME_REGION = { initial: 'playing', states: { playing: {} } } as const;

type HeartbeatEvent = Extract<SessionEvent, { type: 'hearth.heartbeat' }>;
const idleMs = (event: SessionEvent): number => (event as HeartbeatEvent).idleMs;

/** Why the actor closed, from the event that took it to `closed` (given to the leave hook). */
export function closeReason(event: SessionEvent): { code: string; text: string } {
  switch (event.type) {
    case 'hearth.close':
      return { code: event.code, text: event.text };
    case 'hearth.disconnected':
      return { code: event.code, text: 'connection closed' };
    case 'hearth.graceExpired':
      return { code: ErrorCode.GRACE_EXPIRED, text: 'no resume within the grace period' };
    case 'hearth.queueOverflow':
      return { code: ErrorCode.QUEUE_OVERFLOW, text: 'too many pushes queued during grace' };
    case 'hearth.loginTimeout':
      return { code: ErrorCode.LOGIN_TIMEOUT, text: 'no login in time' };
    case 'hearth.handedOff':
      return { code: ErrorCode.HANDED_OFF, text: 'the connection resumed another actor' };
    case 'hearth.resumedElsewhere':
      return { code: RESUMED_ELSEWHERE, text: `the player resumed on node ${event.nodeId}` };
    default:
      return { code: ErrorCode.CLOSED, text: event.type };
  }
}

const closeIdle = {
  type: 'closeConnection',
  params: { code: ErrorCode.HEARTBEAT_TIMEOUT, text: 'no inbound traffic within the heartbeat timeout' },
} as const;

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- the game region's config is typed at the
   `definePlayer` boundary; here it is spliced into the machine as plain config. */

function buildSetup() {
  return setup({
    types: { context: {} as SessionContext, events: {} as SessionEvent, input: {} as SessionInput },
    actions: {
      startLoginTimer: ({ context }) => context.effects.startLoginTimer(),
      startHeartbeat: ({ context }) => context.effects.startHeartbeat(),
      startGrace: ({ context }) => context.effects.startGrace(),
      authenticate: ({ context, event }) => {
        if (event.type === 'hearth.login') context.effects.authenticate(event.credentials, event.rid);
      },
      resume: ({ context, event }) => {
        if (event.type === 'hearth.resume') context.effects.resume(event.token, event.rid);
      },
      refuseLogin: ({ context, event }) => {
        if (event.type === 'hearth.authRefused') context.effects.refuseLogin(event.rid, event.code, event.text);
      },
      admit: ({ context, event }) => {
        if (event.type === 'hearth.authOk') context.effects.admit(event.userId);
      },
      sendPing: ({ context }) => context.effects.sendPing(),
      closeConnection: ({ context }, params: { code: string; text: string }) =>
        context.effects.closeConnection(params.code, params.text),
      closeWithEvent: ({ context, event }) => {
        if (event.type === 'hearth.close') context.effects.closeConnection(event.code, event.text);
      },
      detach: ({ context }) => context.effects.detach(),
      attach: ({ context }) => context.effects.attach(),
      finish: ({ context, event }) => context.effects.finish(closeReason(event)),
    },
    guards: {
      idleTimedOut: ({ context, event }) => idleMs(event) >= context.timeouts.heartbeatTimeout,
      idleSuspect: ({ context, event }) => idleMs(event) >= context.timeouts.suspectAfter,
      terminalClose: ({ event }) => event.type === 'hearth.disconnected' && TERMINAL_CLOSE_CODES.has(event.code),
      noGrace: ({ context }) => context.timeouts.grace === 0,
    },
  });
}

/**
 * Builds the session machine with the application's game region inside `active`:
 *
 * ```
 * handshake → awaitingLogin { idle ⇄ authenticating } → active { heartbeat: alive ⇄ suspect, game: … }
 *           → disconnected (grace, resumable) → closed (final)
 * ```
 *
 * A deep history state is added to the game region, so a resume returns the game to where it was.
 * Use {@link sessionMachine} (default game region) for pure tests of the lifecycle.
 */
export function createSessionMachine(game: object = DEFAULT_GAME_REGION): AnyStateMachine {
  const region: any = { ...game, states: { ...((game as any).states ?? {}), [GAME_HISTORY]: { type: 'history', history: 'deep' } } };
  return buildSetup().createMachine({
    id: 'player',
    initial: 'handshake',
    // An input that already has the context's shape (a player actor's) becomes the context: the
    // actor keeps its input anyway, so a copy would be a second object per player (bench/memory.ts).
    context: ({ input }) =>
      'userId' in input && 'data' in input && 'player' in input
        ? (input as SessionContext)
        : {
            sessionId: input.sessionId,
            userId: undefined,
            data: input.data,
            player: input.player,
            effects: input.effects,
            timeouts: input.timeouts,
          },
    states: {
      handshake: {
        on: { 'hearth.opened': 'awaitingLogin', 'hearth.disconnected': 'closed' },
      },
      awaitingLogin: {
        entry: 'startLoginTimer',
        initial: 'idle',
        states: {
          idle: {
            on: {
              'hearth.login': { target: 'authenticating', actions: 'authenticate' },
              'hearth.resume': { target: 'authenticating', actions: 'resume' },
            },
          },
          authenticating: {
            on: { 'hearth.authRefused': { target: 'idle', actions: 'refuseLogin' } },
          },
        },
        on: {
          'hearth.authOk': {
            target: 'active',
            actions: [assign({ userId: ({ event }) => event.userId }), 'admit'],
          },
          'hearth.handedOff': 'closed',
          'hearth.loginTimeout': {
            target: 'closed',
            actions: { type: 'closeConnection', params: { code: ErrorCode.LOGIN_TIMEOUT, text: 'no login in time' } },
          },
          'hearth.disconnected': 'closed',
        },
      },
      active: {
        type: 'parallel',
        entry: 'startHeartbeat',
        states: {
          heartbeat: {
            initial: 'alive',
            states: {
              alive: {
                on: {
                  'hearth.heartbeat': [
                    { guard: 'idleTimedOut', target: '#player.disconnected', actions: closeIdle },
                    { guard: 'idleSuspect', target: 'suspect', actions: 'sendPing' },
                  ],
                },
              },
              suspect: {
                on: {
                  'hearth.heartbeat': [
                    { guard: 'idleTimedOut', target: '#player.disconnected', actions: closeIdle },
                    { guard: 'idleSuspect', actions: 'sendPing' },
                    { target: 'alive' },
                  ],
                },
              },
            },
          },
          game: region,
        },
        on: {
          'hearth.disconnected': [{ guard: 'terminalClose', target: 'closed' }, { target: 'disconnected' }],
          // A resume of a still-connected actor (the old link is half-open): re-enter with the new link.
          'hearth.resumed': { target: `#player.active.game.${GAME_HISTORY}`, reenter: true, actions: 'attach' },
        },
      },
      disconnected: {
        entry: ['detach', 'startGrace'],
        always: { guard: 'noGrace', target: 'closed' },
        on: {
          'hearth.resumed': { target: `#player.active.game.${GAME_HISTORY}`, actions: 'attach' },
          'hearth.graceExpired': 'closed',
          'hearth.queueOverflow': 'closed',
          'hearth.resumedElsewhere': 'closed',
        },
      },
      closed: { type: 'final', entry: 'finish' },
    },
    on: {
      'hearth.close': { target: '.closed', actions: 'closeWithEvent' },
    },
  });
}
/* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access */

/** The session machine with the default game region, for pure tests and tools. */
export const sessionMachine: AnyStateMachine = createSessionMachine();
