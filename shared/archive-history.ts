// Between the history and the archive: a closed day as the archivist takes it, what differs between
// the worker's count of a day and its archived figures, and the history with archived days put in,
// so a day the ledger no longer holds (rows deleted or pruned) keeps the figures it was archived with.
import type { ArchiveDay, ClosedDay } from './archive-contract.ts';
import type { DayCounts, GovernanceHistory, HistoryDay, Incident } from './contract.ts';
import { endOfUtcDate } from './archive-files.ts';

/** The figures of a charter's day that the archive signs. */
export const countFields = ['expected', 'succeeded', 'failed', 'skipped', 'missed'] as const;

/** The incidents open at some instant of the UTC day `date`: started before it ended, not resolved before it began. */
export function incidentsTouching(incidents: readonly Incident[], date: string): Incident[] {
  const end = endOfUtcDate(date);
  const start = end - 86_400_000;
  return incidents.filter((incident) => Date.parse(incident.startedAt) < end && (incident.resolvedAt === null || Date.parse(incident.resolvedAt) >= start));
}

/**
 * A closed day of the history keeper as the archivist takes it. A charter no longer known by name
 * (deleted since) is archived under its id.
 */
export function toClosedDay(day: {
  date: string;
  closedAt: Date;
  spent: bigint;
  counts: ReadonlyMap<string, DayCounts>;
  names: ReadonlyMap<string, string>;
  incidents: readonly Incident[];
}): ClosedDay {
  return {
    date: day.date,
    closedAt: day.closedAt.toISOString(),
    spent: day.spent,
    charters: [...day.counts].map(([id, counts]) => ({ id, name: day.names.get(id) ?? id, counts })),
    incidents: incidentsTouching(day.incidents, day.date),
  };
}

export type ArchiveDifference = { charterId: string | null; field: string; archived: string | number | null; counted: string | number | null };

/** Where the worker's count of a day differs from its archived figures: counts per charter, and spend. */
export function archiveDifferences(counted: ClosedDay, archived: ArchiveDay): ArchiveDifference[] {
  const differences: ArchiveDifference[] = [];
  if (counted.spent.toString() !== archived.spent) differences.push({ charterId: null, field: 'spent', archived: archived.spent, counted: counted.spent.toString() });
  const now = new Map(counted.charters.map((charter) => [charter.id, charter.counts]));
  const then = new Map(archived.charters.map((charter) => [charter.id, charter]));
  for (const id of new Set([...then.keys(), ...now.keys()])) {
    for (const field of countFields) {
      const before = then.get(id)?.[field] ?? null;
      const after = now.get(id)?.[field] ?? null;
      if (before !== after) differences.push({ charterId: id, field, archived: before, counted: after });
    }
  }
  return differences;
}

/**
 * The incidents where a stored day is not the worker's count of it (ids): one missing or added, or one
 * the day holds resolved at another instant. One the day holds open may have resolved since: that is
 * no difference, nor is a name.
 */
export function incidentDifferences(counted: ClosedDay, archived: ArchiveDay): string[] {
  const stored = new Map(archived.incidents.map((incident) => [incident.id, incident]));
  const countedIds = new Set(counted.incidents.map((incident) => incident.id));
  const differ = counted.incidents.filter(({ id, resolvedAt }) => !stored.has(id) || ![null, resolvedAt].includes(stored.get(id)!.resolvedAt));
  return [...differ.map((incident) => incident.id), ...archived.incidents.filter((incident) => !countedIds.has(incident.id)).map((incident) => incident.id)];
}

/**
 * The history's days with each archived day's figures in place of the worker's count, and archived
 * days the history lacks (before the ledger's data) added, within the history's own range; only the
 * charters the history lists.
 */
export function mergeArchivedDays(
  days: readonly HistoryDay[],
  archived: readonly ArchiveDay[],
  range: { from: string; to: string; charterIds: ReadonlySet<string> },
): HistoryDay[] {
  const merged = new Map(days.map((day) => [day.date, day]));
  for (const day of archived) {
    if (day.day < range.from || day.day > range.to) continue;
    const charters = Object.fromEntries(
      day.charters
        .filter((charter) => range.charterIds.has(charter.id))
        .map(({ id, expected, succeeded, failed, skipped, missed }) => [id, { expected, succeeded, failed, skipped, missed }]),
    );
    // the archive's counts and spend, in the counted day's order of charters (an unchanged history
    // stays byte for byte the same); what the archive does not hold (the day's usage) stays as counted
    const counted = merged.get(day.day);
    const order = Object.keys(counted?.charters ?? {});
    const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
    const ordered = Object.fromEntries(Object.entries(charters).sort(([a], [b]) => rank(a) - rank(b)));
    merged.set(day.day, { ...counted, date: day.day, spent: day.spent, charters: ordered });
  }
  return [...merged.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/** Whether the history's day states other figures than the archived day, for the charters the history lists. */
function statedOtherwise(stated: HistoryDay | undefined, archived: ArchiveDay, charterIds: ReadonlySet<string>): boolean {
  if (stated === undefined || stated.spent !== archived.spent) return true;
  const signed = archived.charters.filter((charter) => charterIds.has(charter.id));
  if (Object.keys(stated.charters).length !== signed.length) return true;
  return signed.some((charter) => countFields.some((field) => stated.charters[charter.id]?.[field] !== charter[field]));
}

/**
 * The archived days (verified by the reader) that governance-history.json, which is not signed, is
 * compared with, and those on which it states other figures than the archive, oldest first. The
 * worker's history carries each archived day's figures (mergeArchivedDays), so an honest file never
 * differs. A day is compared only when the file was written after it was archived: one written
 * before holds it as a day still open.
 */
export function historyDiffersOn(history: Pick<GovernanceHistory, 'generatedAt' | 'from' | 'to' | 'charters' | 'days'>, archived: readonly ArchiveDay[]): { compared: string[]; differing: string[] } {
  const charterIds = new Set(history.charters.map((charter) => charter.id));
  const stated = new Map(history.days.map((day) => [day.date, day]));
  const madeAt = Date.parse(history.generatedAt);
  const compared = archived.filter((day) => day.day >= history.from && day.day <= history.to && Date.parse(day.closedAt) <= madeAt);
  return { compared: compared.map((day) => day.day), differing: compared.filter((day) => statedOtherwise(stated.get(day.day), day, charterIds)).map((day) => day.day) };
}
