// The history as the signed record has it. governance-history.json is not signed: each closed day
// the page verified (governance-archive/recent.json, verify-record.ts) is shown with its archived
// figures, as the worker's own history shows them (shared/archive-history.ts), and the days where the
// file said otherwise are named, so a rewritten file can neither paint a signed failure green nor pass unseen.
import type { ArchiveDay } from '../../shared/archive-contract.ts';
import { historyDiffersOn, mergeArchivedDays } from '../../shared/archive-history.ts';
import type { GovernanceHistory } from '../../shared/contract.ts';

export type SignedHistory = {
  history: GovernanceHistory;
  /** the closed days whose counts or spend the file states otherwise than the record, oldest first */
  differing: string[];
};

/** `days`: the bundle's days as the page verified them; the signed figures are shown for each, compared or not (historyDiffersOn). */
export function signHistory(history: GovernanceHistory, days: ReadonlyArray<{ bytes: string }>): SignedHistory {
  const archived = days.map(({ bytes }) => JSON.parse(bytes) as ArchiveDay).filter((day) => day.day >= history.from && day.day <= history.to);
  const { differing } = historyDiffersOn(history, archived);
  if (archived.length === 0) return { history, differing };
  const charterIds = new Set(history.charters.map((charter) => charter.id));
  return { history: { ...history, days: mergeArchivedDays(history.days, archived, { from: history.from, to: history.to, charterIds }) }, differing };
}
