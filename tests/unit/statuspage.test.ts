// summary.json against the shape Statuspage documents for /api/v2/summary.json, for every fixture
// snapshot; the mapping of every charter state and every overall status; open incidents with their
// updates from the history (or from the id alone when the history no longer holds them).
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { charterStates, type GovernanceHistory, type GovernanceStatus, type Reason } from '../../shared/contract.ts';
import { componentStatusOf, impactOf, indicatorOf, indicators, statuspageSummary, type StatuspagePage } from '../../shared/statuspage.ts';

/**
 * Statuspage's summary.json as its public API documentation gives it (the "Summary" endpoint of a
 * hosted page's /api, e.g. https://www.githubstatus.com/api, with its example response), written
 * here from that documentation: page, status {indicator, description}, components, unresolved
 * incidents with their incident_updates, scheduled_maintenances. The component's group fields and
 * the page's time_zone are in every hosted page's live response. Strict: nothing else.
 */
const timestamp = z.iso.datetime({ offset: true });
const documented = z.strictObject({
  page: z.strictObject({ id: z.string(), name: z.string(), url: z.url(), time_zone: z.string(), updated_at: timestamp }),
  status: z.strictObject({ indicator: z.enum(['none', 'minor', 'major', 'critical']), description: z.string().min(1) }),
  components: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      status: z.enum(['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance']),
      created_at: timestamp,
      updated_at: timestamp,
      position: z.int().min(1),
      description: z.string().nullable(),
      showcase: z.boolean(),
      start_date: z.string().nullable(),
      group_id: z.string().nullable(),
      page_id: z.string(),
      group: z.boolean(),
      only_show_if_degraded: z.boolean(),
    }),
  ),
  incidents: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      status: z.enum(['investigating', 'identified', 'monitoring']), // unresolved incidents only
      created_at: timestamp,
      updated_at: timestamp,
      monitoring_at: timestamp.nullable(),
      resolved_at: z.null(),
      impact: z.enum(['none', 'minor', 'major', 'critical']),
      shortlink: z.url(),
      page_id: z.string(),
      incident_updates: z
        .array(
          z.strictObject({
            id: z.string(),
            status: z.enum(['investigating', 'identified', 'monitoring', 'resolved']),
            body: z.string().min(1),
            incident_id: z.string(),
            created_at: timestamp,
            updated_at: timestamp,
            display_at: timestamp,
          }),
        )
        .min(1),
    }),
  ),
  scheduled_maintenances: z.array(z.unknown()),
});

const page: StatuspagePage = { id: 'cogni-governance', name: 'Cogni governance', url: 'https://status.example.org/' };
const fixture = <T>(path: string) => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as T;
const snapshotOf = (name: string) => fixture<GovernanceStatus>(`snapshots/${name}.json`);
const historyOf = (name: string) => fixture<GovernanceHistory>(`history/${name}.json`);

describe('statuspageSummary', () => {
  it.each(['healthy', 'degraded', 'failing', 'hostile-page', 'empty'])('has the documented shape for the %s fixture', (name) => {
    const summary = statuspageSummary({ snapshot: snapshotOf(name), history: historyOf(name), page });
    expect(documented.safeParse(summary).error?.issues ?? []).toEqual([]);
    expect(summary.incidents.map((incident) => incident.id)).toEqual(snapshotOf(name).openIncidents);
    expect(summary.components.map((component) => component.id)).toEqual(snapshotOf(name).charters.map((charter) => charter.id));
  });

  it('maps the degraded fixture exactly: each charter a component, the open incident with its update', () => {
    const summary = statuspageSummary({ snapshot: snapshotOf('degraded'), history: historyOf('degraded'), page });
    expect(summary.page).toEqual({ id: 'cogni-governance', name: 'Cogni governance', url: 'https://status.example.org/', time_zone: 'Etc/UTC', updated_at: '2026-11-21T12:00:30.000Z' });
    expect(summary.status).toEqual({ indicator: 'minor', description: 'Partially Degraded Service' });
    expect(summary.components.map((component) => [component.name, component.status, component.position])).toEqual([
      ['Community', 'degraded_performance', 1],
      ['Engineering', 'partial_outage', 2],
      ['Govern', 'under_maintenance', 3],
      ['Sustainability', 'operational', 4],
      ['Treasury', 'partial_outage', 5],
    ]);
    expect(summary.incidents).toEqual([
      {
        id: 'governance:engineering@2026-11-21T09:15:00.000Z',
        name: expect.stringMatching(/^Engineering: \d+ runs? missed$/),
        status: 'investigating',
        impact: 'minor',
        created_at: '2026-11-21T09:15:00.000Z',
        updated_at: '2026-11-21T12:00:30.000Z',
        monitoring_at: null,
        resolved_at: null,
        shortlink: 'https://status.example.org/#incident-governance%3Aengineering%402026-11-21T09%3A15%3A00.000Z',
        page_id: 'cogni-governance',
        incident_updates: [
          {
            id: 'governance:engineering@2026-11-21T09:15:00.000Z#opened',
            incident_id: 'governance:engineering@2026-11-21T09:15:00.000Z',
            status: 'investigating',
            body: expect.stringMatching(/^Engineering: \d+ runs? missed, since Nov 21 09:15 UTC; still open\.$/),
            created_at: '2026-11-21T09:15:00.000Z',
            display_at: '2026-11-21T09:15:00.000Z',
            updated_at: '2026-11-21T12:00:30.000Z',
          },
        ],
      },
    ]);
    expect(summary.scheduled_maintenances).toEqual([]);
  });

  it('calls a system without credits, or with every charter down, a critical major outage', () => {
    const summary = statuspageSummary({ snapshot: snapshotOf('failing'), history: historyOf('failing'), page });
    expect(summary.status).toEqual({ indicator: 'critical', description: 'Major Service Outage' });
    expect(summary.components.map((component) => component.status)).toEqual(['major_outage', 'major_outage', 'major_outage']);
    expect(summary.incidents.map((incident) => incident.impact)).toEqual(['critical', 'critical', 'critical', 'critical', 'critical']);
    // The system's own incidents lead, named in words, since their start.
    expect(summary.incidents.slice(0, 2).map((incident) => [incident.name, incident.created_at])).toEqual([
      ['No charter works: every charter that should run is failing, missing, skipping or stuck', '2026-11-21T08:31:00.000Z'],
      ['The system account ran out of credits: scheduled runs cannot be paid for', '2026-11-21T06:58:00.000Z'],
    ]);
  });

  it('maps every charter state, usually and while the system is down', () => {
    const healthy = snapshotOf('healthy');
    const template = healthy.charters[1]!;
    const charters = charterStates.map((state) => ({ ...template, id: `governance:${state}`, name: state, state }));
    const withReasons = (reasons: Reason[]) => statuspageSummary({ snapshot: { ...healthy, charters, reasons, status: reasons.length > 0 ? 'failing' : 'healthy' }, history: null, page });
    const usual = withReasons([]).components.map((component) => [component.name, component.status]);
    const down = withReasons([{ code: 'credits_exhausted', severity: 'failing', charterId: null, since: null, text: 'No credits.' }]).components.map((component) => [component.name, component.status]);
    expect(Object.fromEntries(usual)).toEqual({
      paused: 'under_maintenance',
      invalid_schedule: 'partial_outage',
      no_runs: 'operational',
      missed: 'partial_outage',
      stuck: 'partial_outage',
      failing: 'partial_outage',
      skipped: 'partial_outage',
      recovering: 'degraded_performance',
      running: 'operational',
      ok: 'operational',
    });
    expect(Object.fromEntries(down)).toEqual({
      ...Object.fromEntries(usual),
      missed: 'major_outage',
      stuck: 'major_outage',
      failing: 'major_outage',
      skipped: 'major_outage',
    });
  });

  it('maps every overall status, failing by whether the system is down', () => {
    const healthy = snapshotOf('healthy');
    const reason = (code: Reason['code'], severity: Reason['severity']): Reason => ({ code, severity, charterId: null, since: null, text: 'x' });
    const indicator = (status: GovernanceStatus['status'], reasons: Reason[]) => statuspageSummary({ snapshot: { ...healthy, status, reasons }, history: null, page }).status;
    expect(indicator('healthy', [])).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    expect(indicator('degraded', [reason('runway_low', 'degraded')])).toEqual({ indicator: 'minor', description: 'Partially Degraded Service' });
    expect(indicator('failing', [reason('runway_critical', 'failing')])).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    expect(indicator('failing', [reason('all_charters_down', 'failing')])).toEqual({ indicator: 'critical', description: 'Major Service Outage' });
    expect(indicator('failing', [reason('credits_exhausted', 'failing')])).toEqual({ indicator: 'critical', description: 'Major Service Outage' });
  });

  it("never rates an incident above the page's indicator", () => {
    const rank = (value: (typeof indicators)[number]) => indicators.indexOf(value);
    for (const statuses of Object.values(componentStatusOf)) {
      // a charter's trouble makes the page at least degraded (minor); a major outage only comes with the system down (critical)
      expect(rank(impactOf[statuses.usual])).toBeLessThanOrEqual(rank(indicatorOf.degraded.indicator));
      expect(rank(impactOf[statuses.systemDown])).toBeLessThanOrEqual(rank(indicatorOf.failing_down.indicator));
    }
  });

  it('describes an open incident the history no longer holds from its id alone', () => {
    const snapshot = snapshotOf('degraded');
    const summary = statuspageSummary({ snapshot, history: null, page });
    expect(summary.incidents[0]).toMatchObject({ name: 'Engineering: runs did not succeed', created_at: '2026-11-21T09:15:00.000Z', impact: 'minor' });
    expect(documented.safeParse(summary).success).toBe(true);
  });

  it('dates a component from its first day in the history and its status from stateSince', () => {
    const summary = statuspageSummary({ snapshot: snapshotOf('failing'), history: historyOf('failing'), page });
    const community = summary.components.find((component) => component.id === 'governance:community')!;
    expect(community.created_at).toBe(`${historyOf('failing').days[0]!.date}T00:00:00.000Z`);
    expect(community.updated_at).toBe(snapshotOf('failing').charters.find((charter) => charter.id === 'governance:community')!.stateSince ?? snapshotOf('failing').generatedAt);
  });
});
