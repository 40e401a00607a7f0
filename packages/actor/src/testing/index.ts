// `@hearth/actor/testing`: fixtures for tests of Hearth nodes (Node only; never imported by the main entry).
export { canStopRedis, startRedis } from './startRedis.ts';
export type { TestRedis } from './startRedis.ts';
export { ManualClock } from './ManualClock.ts';
// Pure tests of the session machine (or of a game region through `definition.machine`) with
// xstate's `initialTransition` / `transition`: the machine, its input's timeouts, its effects' shape.
export { sessionMachine } from '../machine/sessionMachine.ts';
export type { SessionEffects } from '../machine/SessionEffects.ts';
export { resolveTimeouts } from '../PlayerTimeouts.ts';
