// The 90 days and the incidents in words: a title per day, one summary per charter (what a screen
// reader hears instead of 90 bars), and a title per incident like the feed's.
import type { GovernanceHistory, Incident } from '../../shared/contract.ts';
import { classifyDay, dayClassText, type DayClass } from '../../shared/history.ts';
import { describeCounts, plural } from './describe-runs.ts';

export type Day = { date: string; dayClass: DayClass; title: string };

/** Each day of one charter, oldest first; a day without the charter in its map has no data. */
export function charterDays(history: GovernanceHistory, charterId: string): Day[] {
  return history.days.map(({ date, charters }) => {
    const counts = Object.hasOwn(charters, charterId) ? charters[charterId] : undefined;
    const dayClass = classifyDay(counts);
    const detail = counts && counts.expected > 0 ? `${describeCounts(counts)}: ${dayClassText[dayClass]}` : dayClassText[dayClass];
    return { date, dayClass, title: `${date} (UTC): ${detail}` };
  });
}

/** "89 of 90 days without failures; 2 incidents, 1 open". Days without data are counted apart, never as good. */
export function summarizeCharter(days: readonly Day[], incidents: readonly Incident[]): string {
  const known = days.filter((day) => day.dayClass !== 'no_data');
  const clean = known.filter((day) => day.dayClass === 'ok' || day.dayClass === 'none_expected').length;
  const open = incidents.filter((incident) => incident.resolvedAt === null).length;
  const unknown = days.length - known.length;
  return `${clean} of ${plural(known.length, 'day')} without failures${unknown ? `, no data for ${plural(unknown, 'day')}` : ''}; ${plural(incidents.length, 'incident')}${open ? `, ${open} open` : ''}`;
}

/** "Engineering: 12 runs failed (insufficient_credits)". */
export function incidentTitle(incident: Incident, name: string): string {
  const codes = incident.errorCodes.length > 0 ? ` (${incident.errorCodes.join(', ')})` : '';
  return `${name}: ${plural(incident.runs, 'run')} ${incident.kind}${codes}`;
}

/** The element id a feed entry links to: #incident-<encodeURIComponent(id)>. */
export const incidentAnchor = (id: string) => `incident-${encodeURIComponent(id)}`;


