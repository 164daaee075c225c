// What the page knows of one file: the last good copy, when it arrived, and the latest failure if
// the newest attempt failed. A failure never clears the data; the same copy again changes nothing,
// so nothing re-renders for it.
import type { PublishedStatus } from '../../shared/contract.ts';
import { isOlderSnapshot } from '../../shared/snapshot-trust.ts';
import type { FetchOutcome } from './fetch-snapshot.ts';

export interface FileState<T> {
  data: T | null;
  /** when the copy shown arrived (the reader's clock, corrected by the server's), ms */
  receivedAt: number | null;
  /** when this copy first arrived: it was made by then at the latest, whatever its own time says */
  firstSeenAt: number | null;
  failure: string | null;
}

export const initialFileState: FileState<never> = { data: null, receivedAt: null, firstSeenAt: null, failure: null };

export function applyOutcome<T>(state: FileState<T>, outcome: FetchOutcome<T>, nowMs: number): FileState<T> {
  if (!outcome.ok) return state.failure === outcome.reason ? state : { ...state, failure: outcome.reason };
  if (outcome.data === state.data && state.failure === null) return state;
  const firstSeenAt = outcome.data === state.data ? state.firstSeenAt : nowMs;
  return { data: outcome.data, receivedAt: nowMs, firstSeenAt, failure: null };
}

type Dated = Pick<PublishedStatus, 'generatedAt'>;

/**
 * Whether an answer to a poll asked while `asked` was shown is older only than a snapshot shown since
 * (one the record check adopted meanwhile: use-record.ts): that one stays, and the answer is no
 * failure. An answer older than the one shown when it was asked is a cache's old copy, as before.
 */
export function overtakenSince(answer: Dated, asked: Dated | null, shown: Dated | null, now: number): boolean {
  return shown !== null && shown !== asked && (asked === null || !isOlderSnapshot(answer, asked, now)) && isOlderSnapshot(answer, shown, now);
}
