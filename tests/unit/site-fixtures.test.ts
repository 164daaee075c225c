// The fixture snapshots and histories drive the browser tests and may serve the worker's tests too:
// each must pass the contract and agree with its rules, or the page would be tested on impossible
// data. legacy-v1.json is a file of the first release (before reasons, states and runs24h): it need
// only pass the reader schema. The rest come from tests/fixtures/build-page-fixtures.ts.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import {
  governanceStatusSchema,
  limits,
  parseGovernanceHistory,
  parseGovernanceStatus,
  type GovernanceHistory,
  type PublishedStatus,
} from '../../shared/contract.ts';
import { summarizeCredits } from '../../shared/credits.ts';
import { classifyDay, dayMs } from '../../shared/history.ts';
import { statusOf } from '../../shared/reasons.ts';

const snapshotDir = new URL('../fixtures/snapshots/', import.meta.url);
const historyDir = new URL('../fixtures/history/', import.meta.url);
const read = (url: URL) => JSON.parse(readFileSync(url, 'utf8'));
const fixtures = readdirSync(snapshotDir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => ({ name, data: read(new URL(name, snapshotDir)) as PublishedStatus }));
const current = fixtures.filter(({ name }) => name !== 'legacy-v1.json');
const histories = readdirSync(historyDir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => ({ name, data: read(new URL(name, historyDir)) as GovernanceHistory }));
const severityRank = { failing: 0, degraded: 1, notice: 2 } as const;

describe('fixture snapshots', () => {
  it('cover every headline status, every empty list, and a file of the first release', () => {
    const snapshots = fixtures.map(({ data }) => data);
    expect(new Set(snapshots.map((s) => s.status))).toEqual(new Set(['healthy', 'degraded', 'failing']));
    expect(snapshots.some((s) => s.charters.length === 0 && s.failedRuns.length === 0 && s.recentRuns.length === 0)).toBe(true);
    const legacy = fixtures.find(({ name }) => name === 'legacy-v1.json')!.data;
    expect([legacy.reasons, legacy.forecast, legacy.failedRunsTotal, legacy.charters[0]!.state, legacy.charters[0]!.runs24h]).toEqual([
      undefined, undefined, undefined, undefined, undefined,
    ]);
  });

  it.each(fixtures)('$name passes the reader schema and follows the credit and schedule rules', ({ data }) => {
    expect(parseGovernanceStatus(data).success).toBe(true);
    expect(data.credits).toEqual(summarizeCredits(BigInt(data.credits.balance), BigInt(data.credits.spentLast24h)));
    expect(data.systemCredits).toBe(data.credits.balance);
    expect(Date.parse(data.staleAfter)).toBeGreaterThan(Date.parse(data.generatedAt));
    const upcoming = data.charters
      .filter((charter) => charter.enabled && charter.nextRunAt !== null)
      .map((charter) => ({ name: charter.name, nextRunAt: charter.nextRunAt! }))
      .sort((a, b) => a.nextRunAt.localeCompare(b.nextRunAt))
      .slice(0, 3);
    expect(data.upcomingRuns).toEqual(upcoming);
  });

  it.each(current)('$name is what this worker writes: the status derived from its reasons', ({ data }) => {
    const parsed = z.safeParse(governanceStatusSchema, data);
    expect(parsed.error?.issues ?? []).toEqual([]);
    const snapshot = parsed.data!;
    expect(snapshot.status).toBe(statusOf(snapshot.reasons));
    const ranks = snapshot.reasons.map((reason) => severityRank[reason.severity]);
    expect(ranks).toEqual([...ranks].sort());
    expect(snapshot.failedRunsTotal).toBeGreaterThanOrEqual(snapshot.failedRuns.length);
    expect(snapshot.missedRunsTotal).toBeGreaterThanOrEqual(snapshot.missedRuns.length);
    expect(snapshot.chartersTotal).toBe(snapshot.charters.length);
    const ids = new Set(snapshot.charters.map((charter) => charter.id));
    expect([...snapshot.failedRuns, ...snapshot.missedRuns].every((run) => ids.has(run.charterId))).toBe(true);
  });
});

describe('fixture histories', () => {
  it('cover incidents open and resolved, and a charter whose data begins within the 90 days', () => {
    const all = histories.flatMap(({ data }) => data.incidents);
    expect(all.some((incident) => incident.resolvedAt === null)).toBe(true);
    expect(all.filter((incident) => incident.resolvedAt !== null).length).toBeGreaterThanOrEqual(2);
    const degraded = histories.find(({ name }) => name === 'degraded.json')!.data;
    const engineering = degraded.days.map((day) => classifyDay(day.charters['governance:engineering']));
    expect(engineering.slice(0, 59).every((dayClass) => dayClass === 'no_data')).toBe(true);
    expect(engineering.slice(59).includes('no_data')).toBe(false);
  });

  it.each(histories)('$name passes the history schema and belongs to the snapshot of its name', ({ name, data }) => {
    expect(parseGovernanceHistory(data).error?.issues ?? []).toEqual([]);
    expect(data.days).toHaveLength(limits.historyDays);
    const dates = data.days.map((day) => Date.parse(`${day.date}T00:00:00.000Z`));
    expect(dates.every((date, index) => index === 0 || date - dates[index - 1]! === dayMs)).toBe(true);
    expect([data.from, data.to]).toEqual([data.days[0]!.date, data.days.at(-1)!.date]);
    const starts = data.incidents.map((incident) => incident.startedAt);
    expect(starts).toEqual([...starts].sort().reverse());

    const snapshotUrl = new URL(name, snapshotDir);
    expect(existsSync(snapshotUrl)).toBe(true);
    const snapshot = read(snapshotUrl) as PublishedStatus;
    expect(data.to).toBe(snapshot.generatedAt.slice(0, 10));
    const openOf = (incidents: readonly { id: string; resolvedAt: string | null }[]) => incidents.filter((incident) => incident.resolvedAt === null).map((incident) => incident.id);
    // The system's open incidents lead (as the worker puts them), then the charters'.
    expect(snapshot.openIncidents).toEqual([...openOf(data.statusIncidents ?? []), ...openOf(data.incidents)]);
    const ids = new Set(snapshot.charters.map((charter) => charter.id));
    expect(data.charters.every((charter) => ids.has(charter.id))).toBe(true);
    expect(data.days.every((day) => Object.keys(day.charters).every((id) => ids.has(id)))).toBe(true);
  });
});
