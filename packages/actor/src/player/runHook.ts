import type { Logger } from 'pino';

/**
 * Runs a player hook (`onJoin`, `onLeave`); a throw or rejection is logged with the session's
 * logger (`owner.log`, read only then: a child logger per player costs ~0.4 KB, bench/memory.ts),
 * never thrown. Returns a promise only if the hook is async.
 */
export function runHook(owner: { readonly log: Logger }, name: string, run: () => void | Promise<void> | undefined): Promise<void> | undefined {
  try {
    const result = run();
    if (result !== undefined && typeof result.then === 'function') {
      return result.then(undefined, (err: unknown) => owner.log.error({ err, hook: name }, 'player hook failed'));
    }
  } catch (err) {
    owner.log.error({ err, hook: name }, 'player hook failed');
  }
  return undefined;
}
