// summary.json in the shape of Statuspage's /api/v2/summary.json, the de facto format status
// aggregators and dashboards read: a view of governance-status.json (the source of truth) and of the
// history's incidents, never a second judgement. The mapping tables are the README's.
import type { CharterState, GovernanceHistory, GovernanceStatus, Incident, OverallStatus, ReasonCode, StatusIncidentCode } from './contract.ts';
import { incidentTitle } from './history.ts';
import { parseStatusIncidentId, statusIncidentWords } from './incidents.ts';
import { formatUtc } from './reasons.ts';
import { charterName } from './schedule.ts';

export const statuspageFileName = 'summary.json';

export const componentStatuses = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const;
export const indicators = ['none', 'minor', 'major', 'critical'] as const;
export type ComponentStatus = (typeof componentStatuses)[number];
export type Indicator = (typeof indicators)[number];

/** The reasons that mean the system as a whole is down: its charters' outages are then major. */
export const systemDownCodes: ReadonlySet<ReasonCode> = new Set(['credits_exhausted', 'all_charters_down']);

/** Each charter state as a Statuspage component status: usually, and while the system is down. */
export const componentStatusOf: Record<CharterState, { usual: ComponentStatus; systemDown: ComponentStatus }> = {
  ok: { usual: 'operational', systemDown: 'operational' },
  running: { usual: 'operational', systemDown: 'operational' },
  no_runs: { usual: 'operational', systemDown: 'operational' },
  paused: { usual: 'under_maintenance', systemDown: 'under_maintenance' },
  recovering: { usual: 'degraded_performance', systemDown: 'degraded_performance' },
  invalid_schedule: { usual: 'partial_outage', systemDown: 'partial_outage' },
  missed: { usual: 'partial_outage', systemDown: 'major_outage' },
  stuck: { usual: 'partial_outage', systemDown: 'major_outage' },
  failing: { usual: 'partial_outage', systemDown: 'major_outage' },
  skipped: { usual: 'partial_outage', systemDown: 'major_outage' },
};

/** The overall status as Statuspage's indicator and description; failing splits on whether the system is down. */
export const indicatorOf: Record<OverallStatus | 'failing_down', { indicator: Indicator; description: string }> = {
  healthy: { indicator: 'none', description: 'All Systems Operational' },
  degraded: { indicator: 'minor', description: 'Partially Degraded Service' },
  failing: { indicator: 'major', description: 'Partial System Outage' },
  failing_down: { indicator: 'critical', description: 'Major Service Outage' },
};

/** An open incident's impact, from its charter's component status (never above the page's indicator). */
export const impactOf: Record<ComponentStatus, Indicator> = {
  operational: 'none',
  under_maintenance: 'none',
  degraded_performance: 'minor',
  partial_outage: 'minor',
  major_outage: 'critical',
};

export type StatuspagePage = { id: string; name: string; url: string };

const iso = (ms: number) => new Date(ms).toISOString();

/** The date an incident id ends with (`…@<ISO>`), or '' when it names none. */
function startOfId(id: string): string {
  const startedAt = Date.parse(id.slice(id.lastIndexOf('@') + 1));
  return Number.isNaN(startedAt) ? '' : iso(startedAt);
}

/** The open incident an id names: from the history when it still holds it, else what the id itself says. */
function openIncident(id: string, history: GovernanceHistory | null): Incident {
  const found = history?.incidents.find((incident) => incident.id === id);
  if (found) return found;
  return { id, charterId: id.slice(0, id.lastIndexOf('@')), kind: 'failed', startedAt: startOfId(id), resolvedAt: null, runs: 0, errorCodes: [] };
}

/** The system's own open incident an id names (`status:<code>@<start>`), or null for a charter's. */
function openStatusIncident(id: string, history: GovernanceHistory | null): { code: StatusIncidentCode; startedAt: string } | null {
  return history?.statusIncidents?.find((incident) => incident.id === id) ?? parseStatusIncidentId(id);
}

type SummaryInput = { snapshot: GovernanceStatus; history: GovernanceHistory | null; page: StatuspagePage };

/** Whether the system as a whole is down, and each charter state's component status accordingly. */
function componentStatusFor(snapshot: GovernanceStatus) {
  const down = snapshot.reasons.some((reason) => systemDownCodes.has(reason.code));
  return { down, statusOf: (state: CharterState) => componentStatusOf[state][down ? 'systemDown' : 'usual'] };
}

/** The charters the snapshot lists, in its order; each dated from its first day in the history. */
function componentsOf({ snapshot, history, page }: SummaryInput) {
  const { statusOf } = componentStatusFor(snapshot);
  const firstDay = new Map<string, string>();
  for (const day of history?.days ?? []) for (const id of Object.keys(day.charters)) if (!firstDay.has(id)) firstDay.set(id, `${day.date}T00:00:00.000Z`);
  return snapshot.charters.map((charter, index) => ({
    id: charter.id,
    page_id: page.id,
    group_id: null,
    created_at: firstDay.get(charter.id) ?? snapshot.generatedAt,
    updated_at: charter.stateSince ?? snapshot.generatedAt,
    group: false,
    name: charter.name,
    description: charter.scheduleText,
    position: index + 1,
    status: statusOf(charter.state),
    showcase: true,
    only_show_if_degraded: false,
    start_date: null,
  }));
}

/** What an open incident is called, since when, and how much it weighs: the system's own ones are critical. */
function describeOpen(id: string, { snapshot, history }: SummaryInput) {
  const system = openStatusIncident(id, history);
  if (system) return { title: statusIncidentWords[system.code].opened, startedAt: system.startedAt, impact: 'critical' as Indicator };
  const { statusOf } = componentStatusFor(snapshot);
  const incident = openIncident(id, history);
  const charter = snapshot.charters.find((listed) => listed.id === incident.charterId);
  const name = charter?.name ?? charterName(incident.charterId);
  return {
    title: incident.runs > 0 ? incidentTitle(name, incident) : `${name}: runs did not succeed`,
    startedAt: incident.startedAt,
    impact: charter ? impactOf[statusOf(charter.state)] : ('minor' as Indicator),
  };
}

/** The open incidents, each with the one update that says since when. */
function incidentsOf(input: SummaryInput) {
  const { snapshot, page } = input;
  return snapshot.openIncidents.map((id) => {
    const described = describeOpen(id, input);
    const startedAt = described.startedAt === '' ? snapshot.generatedAt : described.startedAt;
    const update = {
      id: `${id}#opened`,
      incident_id: id,
      status: 'investigating' as const,
      body: `${described.title}, since ${formatUtc(Date.parse(startedAt), Number.NaN)}; still open.`,
      created_at: startedAt,
      display_at: startedAt,
      updated_at: snapshot.generatedAt,
    };
    return {
      id,
      name: described.title,
      status: 'investigating' as const,
      impact: described.impact,
      created_at: startedAt,
      updated_at: snapshot.generatedAt,
      monitoring_at: null,
      resolved_at: null,
      shortlink: `${page.url}#incident-${encodeURIComponent(id)}`,
      page_id: page.id,
      incident_updates: [update],
    };
  });
}

/** summary.json for a snapshot and (for the open incidents' details) its history. */
export function statuspageSummary(input: SummaryInput) {
  const { snapshot, page } = input;
  const { down } = componentStatusFor(snapshot);
  return {
    page: { id: page.id, name: page.name, url: page.url, time_zone: 'Etc/UTC', updated_at: snapshot.generatedAt },
    status: indicatorOf[snapshot.status === 'failing' && down ? 'failing_down' : snapshot.status],
    components: componentsOf(input),
    incidents: incidentsOf(input),
    scheduled_maintenances: [] as never[],
  };
}

export type StatuspageSummary = ReturnType<typeof statuspageSummary>;
