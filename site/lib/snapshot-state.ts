// What the page knows of one file: the last good copy, when it arrived, and the latest failure if
// the newest attempt failed. A failure never clears the data.
import type { FetchOutcome } from './fetch-snapshot.ts';

export interface FileState<T> {
  data: T | null;
  /** when the last good copy was received (reader's clock, ms) */
  receivedAt: number | null;
  failure: string | null;
}

export const initialFileState: FileState<never> = { data: null, receivedAt: null, failure: null };

export function applyOutcome<T>(state: FileState<T>, outcome: FetchOutcome<T>, nowMs: number): FileState<T> {
  if (outcome.ok) return { data: outcome.data, receivedAt: nowMs, failure: null };
  return { ...state, failure: outcome.reason };
}
