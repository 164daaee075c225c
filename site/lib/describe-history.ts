// The 90 days and the incidents in words: each charter's days, its uptime over 30 and 90 days and
// its days with problems (built once per history file), and a title per incident like the feed's.
import type { DayCounts, GovernanceHistory, Incident, IncidentResolution } from '../../shared/contract.ts';
import { classifyDay, type DayClass } from '../../shared/history.ts';
import { parseStatusIncidentId } from '../../shared/incidents.ts';
import { uptimeOf, type Uptime } from '../../shared/uptime.ts';
import { dateTimeFormat, fill, numberFormat, plural } from '../i18n/fill.ts';
import type { Messages } from '../i18n/en.ts';
import { describeCounts } from './describe-runs.ts';
import type { Tone } from './describe-status.ts';
import { formatDay } from './format-time.ts';

export type Day = { date: string; dayClass: DayClass; title: string; counts: DayCounts | undefined };

/** Each day of one charter, oldest first; a day without the charter in its map has no data. */
export function charterDays(history: GovernanceHistory, charterId: string, m: Messages): Day[] {
  return history.days.map(({ date, charters }) => {
    const counts = Object.hasOwn(charters, charterId) ? charters[charterId] : undefined;
    const dayClass = classifyDay(counts);
    const words = m.days.classes[dayClass];
    const detail = counts && counts.expected > 0 ? `${describeCounts(counts, m)}: ${words}` : words;
    return { date, dayClass, title: `${fill(m.days.utcDay, { date: formatDay(date, m) })}: ${detail}`, counts };
  });
}

export type CharterHistory = {
  days: Day[];
  /** the first day with data, or null when none has any */
  firstData: string | null;
  uptime30: Uptime | null;
  uptime90: Uptime | null;
  /** days on which a run failed, was skipped or was missed, newest first */
  problemDays: Day[];
  incidents: Incident[];
};

const isProblem = (day: Day) => day.dayClass === 'some_failures' || day.dayClass === 'failed' || day.dayClass === 'missed';

/** What each charter's card shows of the history: computed once per history file, not per render. */
export function describeCharterHistories(history: GovernanceHistory, m: Messages): Map<string, CharterHistory> {
  const histories = new Map<string, CharterHistory>();
  for (const { id } of history.charters) {
    const days = charterDays(history, id, m);
    histories.set(id, {
      days,
      firstData: days.find((day) => day.dayClass !== 'no_data')?.date ?? null,
      uptime30: uptimeOf(days.slice(-30).map((day) => day.counts)),
      uptime90: uptimeOf(days.map((day) => day.counts)),
      problemDays: days.filter(isProblem).reverse(),
      incidents: history.incidents.filter((incident) => incident.charterId === id),
    });
  }
  return histories;
}

/** "99.3 %", "99,3 %": rounded down to a tenth (shared/uptime.ts), in the locale's decimals. */
export function formatUptimeIn({ succeeded, judged }: Uptime, locale: string): string {
  const tenths = Math.floor((succeeded * 1000) / judged);
  const digits = tenths === 1000 ? 0 : 1;
  return `${numberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(tenths / 10)}\u00a0%`;
}

/**
 * "99.2 % of expected runs succeeded in 30 days, 98.9 % in 90 (data from 2026-10-22); 2 incidents,
 * 1 open". Days without data or without expected runs count neither way (shared/uptime.ts).
 */
export function describeUptime({ uptime30, uptime90, firstData, days, incidents }: CharterHistory, m: Messages): string {
  const open = incidents.filter((incident) => incident.resolvedAt === null).length;
  const tally = `${plural(m.locale, m.days.incidents, incidents.length)}${open ? fill(m.days.open, { count: open }) : ''}`;
  if (uptime90 === null) return fill(m.days.noExpected, { days: days.length, tally });
  const since = firstData !== null && firstData !== days[0]?.date ? fill(m.days.dataFrom, { date: formatDay(firstData, m) }) : '';
  const recent = uptime30 === null ? m.days.none30 : fill(m.days.uptime30, { uptime: formatUptimeIn(uptime30, m.locale) });
  return fill(m.days.uptime, { recent, uptime90: formatUptimeIn(uptime90, m.locale), days: days.length, since, tally });
}

/** "Engineering: 12 runs failed (insufficient_credits)". */
export function incidentTitle(incident: Incident, name: string, m: Messages): string {
  const codes = incident.errorCodes.length > 0 ? ` (${incident.errorCodes.join(', ')})` : '';
  return plural(m.locale, m.incidents.title, incident.runs, { name, kind: m.incidents.kinds[incident.kind], codes });
}

/** An incident as the page lists it: a charter's, or the system's own (no credits, no charter works: charterId null). */
export type ListedIncident = { id: string; charterId: string | null; title: string; startedAt: string; resolvedAt: string | null; resolution?: IncidentResolution };

/** Open, resolved, or closed without a recovery (its charter removed): the word and tone beside an incident. */
export function incidentEnd({ resolvedAt, resolution }: Pick<ListedIncident, 'resolvedAt' | 'resolution'>, m: Messages): { tone: Tone; label: string } {
  if (resolvedAt === null) return { tone: 'warn', label: m.incidents.stillOpen };
  return resolution === 'charter_removed' ? { tone: 'neutral', label: m.incidents.charterRemoved } : { tone: 'good', label: m.incidents.resolved };
}

/** The charters' and the system's incidents in one list, newest first; the system's first on a tie. */
export function listIncidents(history: GovernanceHistory, names: ReadonlyMap<string, string>, m: Messages): ListedIncident[] {
  const system = (history.statusIncidents ?? []).map(({ id, code, startedAt, resolvedAt }) => ({ id, charterId: null, title: m.incidents.system[code], startedAt, resolvedAt }));
  const charters = history.incidents.map((incident) => ({ ...incident, title: incidentTitle(incident, names.get(incident.charterId) ?? incident.charterId, m) }));
  return [...system, ...charters].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** What the snapshot's open incident id names before (or without) the history: the system's in words, a charter's by its name. */
export function describeOpenId(id: string, names: ReadonlyMap<string, string>, m: Messages): { title: string; startedAt: string | null } {
  const system = parseStatusIncidentId(id);
  if (system) return { title: m.incidents.system[system.code], startedAt: system.startedAt };
  const parsed = parseIncidentId(id);
  const charterId = parsed?.charterId ?? id;
  return { title: fill(m.incidents.notSucceeding, { name: names.get(charterId) ?? charterId }), startedAt: parsed?.startedAt ?? null };
}

/** The element id a feed entry links to: #incident-<encodeURIComponent(id)>. */
export const incidentAnchor = (id: string) => `incident-${encodeURIComponent(id)}`;

/** An incident id is `<charterId>@<startedAt>`: enough to name an open incident before the history arrives. */
export function parseIncidentId(id: string): { charterId: string; startedAt: string } | null {
  const at = id.lastIndexOf('@');
  const startedAt = id.slice(at + 1);
  return at > 0 && startedAt.length === 24 && new Date(Date.parse(startedAt) || 0).toISOString() === startedAt ? { charterId: id.slice(0, at), startedAt } : null;
}

/** The incidents by month of their start ("November 2026" in the reader's zone), newest first as given. */
export function groupByMonth<T extends { startedAt: string }>(incidents: readonly T[], options: { locale?: string; timeZone?: string } = {}): { month: string; incidents: T[] }[] {
  const format = dateTimeFormat(options.locale, { month: 'long', year: 'numeric', timeZone: options.timeZone });
  const groups: { month: string; incidents: T[] }[] = [];
  for (const incident of incidents) {
    const month = format.format(Date.parse(incident.startedAt));
    if (groups.at(-1)?.month === month) groups.at(-1)!.incidents.push(incident);
    else groups.push({ month, incidents: [incident] });
  }
  return groups;
}
