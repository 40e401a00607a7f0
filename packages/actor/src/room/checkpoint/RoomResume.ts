import type { AwayMember } from './AwayMember.ts';
import type { PersistedLifecycle } from './RoomCheckpoint.ts';

/** What a restored room takes from its checkpoint besides its state (`RoomInstance.resume`). @internal */
export interface RoomResume {
  readonly locked: boolean;
  readonly private: boolean;
  readonly metadata: unknown;
  /** The last tick run before the checkpoint. */
  readonly tick: number;
  readonly lifecycle: PersistedLifecycle | null;
  /** The members, held away until their players come back or their grace ends. */
  readonly away: readonly AwayMember[];
}
