/** Stable codes of every error the state layer throws. */
export const StateErrorCode = {
  /** A value does not fit its declared type (wrong kind, out of range, not an integer). */
  BAD_VALUE: 'STATE_BAD_VALUE',
  /** A container instance is already part of a state tree. */
  ATTACHED: 'STATE_ATTACHED',
  /** A declaration is invalid (empty struct, unknown type). */
  BAD_SCHEMA: 'STATE_BAD_SCHEMA',
  /** An operation needs a clean state (no mutation since the last patch). */
  PENDING_CHANGES: 'STATE_PENDING_CHANGES',
  /** Bytes end before the value they announce. */
  TRUNCATED: 'STATE_TRUNCATED',
  /** Bytes are well framed but do not describe a valid state or patch. */
  MALFORMED: 'STATE_MALFORMED',
  /** A declared length or count exceeds the bytes left or a decoder limit. */
  TOO_LARGE: 'STATE_TOO_LARGE',
  /** A patch does not follow the last applied one: request the full state again. */
  SEQ_GAP: 'STATE_SEQ_GAP',
  /** A patch arrived before any full state. */
  NO_STATE: 'STATE_NO_STATE',
} as const;
export type StateErrorCode = (typeof StateErrorCode)[keyof typeof StateErrorCode];

/** The one error shape of `@hearth/state`. */
export class StateError extends Error {
  override name = 'StateError';
  readonly code: StateErrorCode;
  constructor(code: StateErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
