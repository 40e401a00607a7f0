import type { StateValue } from 'xstate';

/** Top-level state of the session machine, cached by the player after every transition for the binder's fast path. */
export type Phase = 'handshake' | 'awaitingLogin' | 'active' | 'disconnected' | 'closed';

/** The phase of a session machine state value (its top-level state). */
export function phaseOf(value: StateValue): Phase {
  return (typeof value === 'string' ? value : Object.keys(value)[0]) as Phase;
}
