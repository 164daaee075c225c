// Each charter's uptime over the days of the signed record the page verified (up to 365, from
// governance-archive/recent.json), by the one definition of shared/uptime.ts: the 90 days of the
// history say the rest.
import type { DayCounts } from '../../shared/contract.ts';
import { uptimeOf, type Uptime } from '../../shared/uptime.ts';
import type { Messages } from '../i18n/en.ts';
import { fill } from '../i18n/fill.ts';
import { formatUptimeIn } from './describe-history.ts';


export type RecordUptime = { uptime: Uptime | null; days: number };

/** The bundle's days as the archive counted them, per charter: only days the page verified. */
export function recordUptimes(days: ReadonlyArray<{ bytes: string }>): Map<string, RecordUptime> {
  const counts = new Map<string, DayCounts[]>();
  for (const { bytes } of days) {
    const charters = (JSON.parse(bytes) as { charters?: Array<DayCounts & { id: string }> }).charters ?? [];
    for (const charter of charters) counts.set(charter.id, [...(counts.get(charter.id) ?? []), charter]);
  }
  return new Map([...counts].map(([id, list]) => [id, { uptime: uptimeOf(list), days: days.length }]));
}

/** A line only when the record reaches further back than the history's 90 days. */
export function describeRecordUptime({ uptime, days }: RecordUptime, m: Messages): string | null {
  if (days <= 90) return null;
  const words = m.record.uptime;
  const template = uptime === null ? words.none : days >= 365 ? words.year : words.part;
  return fill(template, { figure: uptime ? formatUptimeIn(uptime, m.locale) : '', days });
}
