// `@hearth/actor/testing`: fixtures for tests of Hearth nodes (Node only; never imported by the main entry).
export { canStopRedis, startRedis } from './startRedis.ts';
export type { TestRedis } from './startRedis.ts';
export { ManualClock } from './ManualClock.ts';
