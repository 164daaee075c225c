// What the page knows: the last good snapshot, when it arrived, and the latest failure if the
// newest attempt failed. A failure never clears the snapshot.
import type { GovernanceStatus } from '../../shared/contract.ts';
import type { FetchOutcome } from './fetch-snapshot.ts';

export interface SnapshotState {
  snapshot: GovernanceStatus | null;
  /** when the last good snapshot was received (reader's clock, ms) */
  receivedAt: number | null;
  failure: string | null;
}

export const initialSnapshotState: SnapshotState = { snapshot: null, receivedAt: null, failure: null };

export function applyOutcome(state: SnapshotState, outcome: FetchOutcome, nowMs: number): SnapshotState {
  if (outcome.ok) return { snapshot: outcome.snapshot, receivedAt: nowMs, failure: null };
  return { ...state, failure: outcome.reason };
}
