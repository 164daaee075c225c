// The history as the signed record has it. governance-history.json is not signed: each closed day
// the page verified (governance-archive/recent.json, verify-record.ts) is shown with its archived
// figures, as the worker's own history shows them (shared/archive-history.ts), and the days where the
// file said otherwise are named, so a rewritten file can neither paint a signed failure green nor pass unseen.
import type { ArchiveDay } from '../../shared/archive-contract.ts';
import { countFields, mergeArchivedDays } from '../../shared/archive-history.ts';
import type { GovernanceHistory, HistoryDay } from '../../shared/contract.ts';

export type SignedHistory = {
  history: GovernanceHistory;
  /** the closed days whose counts or spend the file states otherwise than the record, oldest first */
  differing: string[];
};

/** Whether the file's day says other than the archive, for the charters the file lists. */
function differs(stated: HistoryDay | undefined, archived: ArchiveDay, charterIds: ReadonlySet<string>): boolean {
  if (stated === undefined || stated.spent !== archived.spent) return true;
  const signed = archived.charters.filter((charter) => charterIds.has(charter.id));
  if (Object.keys(stated.charters).length !== signed.length) return true;
  return signed.some((charter) => countFields.some((field) => stated.charters[charter.id]?.[field] !== charter[field]));
}

/**
 * `days`: the bundle's days as the page verified them. A day is compared only when the file was
 * made after the day was archived: one made before holds it as a day still open (a newer bundle
 * than the file, an honest race), and shows the signed figures all the same.
 */
export function signHistory(history: GovernanceHistory, days: ReadonlyArray<{ bytes: string }>): SignedHistory {
  const archived = days.map(({ bytes }) => JSON.parse(bytes) as ArchiveDay).filter((day) => day.day >= history.from && day.day <= history.to);
  const charterIds = new Set(history.charters.map((charter) => charter.id));
  const stated = new Map(history.days.map((day) => [day.date, day]));
  const madeAt = Date.parse(history.generatedAt);
  const differing = archived.filter((day) => Date.parse(day.closedAt) <= madeAt && differs(stated.get(day.day), day, charterIds)).map((day) => day.day);
  if (archived.length === 0) return { history, differing };
  return { history: { ...history, days: mergeArchivedDays(history.days, archived, { from: history.from, to: history.to, charterIds }) }, differing };
}
