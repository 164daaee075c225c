// The 90 days and the incidents in words, and when the page asks for the history again.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { de } from '../../site/i18n/de.ts';
import { en } from '../../site/i18n/en.ts';
import type { GovernanceHistory, Incident, PublishedStatus } from '../../shared/contract.ts';
import { charterDays, describeCharterHistories, describeOpenId, describeUptime, groupByMonth, incidentAnchor, incidentEnd, incidentTitle, listIncidents, parseIncidentId } from '../../site/lib/describe-history.ts';
import { describeCounts, describeTotal } from '../../site/lib/describe-runs.ts';
import { historyRefreshMs, markOf, shouldFetchHistory } from '../../site/lib/history-refresh.ts';

const history = JSON.parse(readFileSync(new URL('../fixtures/history/degraded.json', import.meta.url), 'utf8')) as GovernanceHistory;
const snapshot = JSON.parse(readFileSync(new URL('../fixtures/snapshots/degraded.json', import.meta.url), 'utf8')) as PublishedStatus;
const incident: Incident = {
  id: 'governance:engineering@2026-11-21T07:00:00.000Z',
  charterId: 'governance:engineering',
  kind: 'failed',
  startedAt: '2026-11-21T07:00:00.000Z',
  resolvedAt: null,
  runs: 12,
  errorCodes: ['insufficient_credits'],
};

describe('describeCounts and describeTotal', () => {
  it('say what happened to the expected runs', () => {
    expect(describeCounts({ expected: 24, succeeded: 23, failed: 0, skipped: 0, missed: 1, running: 0 }, en)).toBe('23 of 24 succeeded, 1 missed');
    expect(describeCounts({ expected: 1440, succeeded: 1200, failed: 200, skipped: 30, missed: 9, running: 1 }, en)).toBe(
      '1,200 of 1,440 succeeded, 200 failed, 30 skipped, 9 missed, 1 running',
    );
    expect(describeCounts({ expected: 0, succeeded: 0, failed: 0, skipped: 0, missed: 0 }, en)).toBe('no runs expected');
  });

  it('give the total beside the latest shown, or only what is shown when an older file has no total', () => {
    expect(describeTotal(10, 112, 'failed', en)).toBe('112 failed, showing the latest 10');
    expect(describeTotal(3, 3, 'failed', en)).toBe('3 failed');
    expect(describeTotal(3, undefined, 'failed', en)).toBe('showing the latest 3');
  });
});

describe('charterDays', () => {
  it('classes each day, and a day without the charter in its map has no data', () => {
    const days = charterDays(history, 'governance:engineering', en);
    expect(days).toHaveLength(90);
    expect(days[0]).toEqual({ date: '2026-08-24', dayClass: 'no_data', title: '2026-08-24 (UTC): no data', counts: undefined });
    expect(days[89]).toEqual({
      date: '2026-11-21',
      dayClass: 'some_failures',
      title: '2026-11-21 (UTC): 37 of 48 succeeded, 11 missed: some runs failed or were missed',
      counts: { expected: 48, succeeded: 37, failed: 0, skipped: 0, missed: 11 },
    });
    expect(charterDays(history, 'governance:unknown', en).every((day) => day.dayClass === 'no_data')).toBe(true);
  });

  it('does not take inherited keys for charters', () => {
    expect(charterDays(history, 'constructor', en)[0]!.dayClass).toBe('no_data');
  });
});

describe('describeCharterHistories and describeUptime', () => {
  const histories = describeCharterHistories(history, en);

  it('give each charter its uptime over 30 and 90 days, from the days with data only', () => {
    const engineering = histories.get('governance:engineering')!;
    expect(engineering.firstData).toBe('2026-10-22');
    expect([engineering.uptime30, engineering.uptime90]).toEqual([{ succeeded: 2_813, judged: 2_832 }, { succeeded: 2_853, judged: 2_872 }]);
    expect(describeUptime(engineering, en)).toBe('99.3\u00a0% of expected runs succeeded in 30 days, 99.3\u00a0% in 90 (data from 2026-10-22); 2 incidents, 1 open');
  });

  it('list the days with problems, newest first, for readers who cannot hover a bar', () => {
    expect(histories.get('governance:engineering')!.problemDays.map((day) => day.title)).toEqual([
      '2026-11-21 (UTC): 37 of 48 succeeded, 11 missed: some runs failed or were missed',
      '2026-11-02 (UTC): 88 of 96 succeeded, 8 failed: some runs failed or were missed',
    ]);
  });

  it('say so when nothing was expected, never 100 %', () => {
    const govern = histories.get('governance:govern')!;
    expect(describeUptime({ ...govern, uptime30: null, uptime90: null }, en)).toBe('No expected runs in 90 days; 0 incidents');
    expect(describeUptime({ ...govern, uptime30: null, uptime90: { succeeded: 12, judged: 12 } }, en)).toBe(
      'none expected in 30 days, 100\u00a0% in 90; 0 incidents',
    );
  });
});

describe('incidents', () => {
  it('read like the feed and have the anchor the feed links to', () => {
    expect(incidentTitle(incident, 'Engineering', en)).toBe('Engineering: 12 runs failed (insufficient_credits)');
    expect(incidentTitle({ ...incident, kind: 'missed', runs: 1, errorCodes: [] }, 'Engineering', en)).toBe('Engineering: 1 run missed');
    expect(incidentAnchor(incident.id)).toBe('incident-governance%3Aengineering%402026-11-21T07%3A00%3A00.000Z');
  });

  it('name their charter and start from the id alone, before the history arrives', () => {
    expect(parseIncidentId(incident.id)).toEqual({ charterId: 'governance:engineering', startedAt: '2026-11-21T07:00:00.000Z' });
    expect(parseIncidentId('a@b@2026-11-21T07:00:00.000Z')).toEqual({ charterId: 'a@b', startedAt: '2026-11-21T07:00:00.000Z' });
    expect(parseIncidentId('no-start')).toBeNull();
    expect(parseIncidentId('@2026-11-21T07:00:00.000Z')).toBeNull();
  });

  it('list the system’s own with the charters’, newest first, in words', () => {
    const older = { ...incident, id: 'governance:engineering@2026-11-20T07:00:00.000Z', startedAt: '2026-11-20T07:00:00.000Z' };
    const system = { id: 'status:credits_exhausted@2026-11-21T06:58:00.000Z', code: 'credits_exhausted' as const, startedAt: '2026-11-21T06:58:00.000Z', resolvedAt: null };
    const listed = listIncidents({ ...history, incidents: [incident, older], statusIncidents: [system] }, new Map([['governance:engineering', 'Engineering']]), en);
    expect(listed.map(({ id, charterId, title }) => [id, charterId, title])).toEqual([
      [incident.id, 'governance:engineering', 'Engineering: 12 runs failed (insufficient_credits)'],
      [system.id, null, 'The system account ran out of credits: scheduled runs cannot be paid for'],
      [older.id, 'governance:engineering', 'Engineering: 12 runs failed (insufficient_credits)'],
    ]);
    expect(describeOpenId(system.id, new Map(), en)).toEqual({ title: 'The system account ran out of credits: scheduled runs cannot be paid for', startedAt: system.startedAt });
    expect(describeOpenId(incident.id, new Map([['governance:engineering', 'Engineering']]), en)).toEqual({ title: 'Engineering: runs not succeeding', startedAt: incident.startedAt });
    // German words the system's own from its code too.
    expect(describeOpenId(system.id, new Map(), de).title).toBe('Das Systemkonto hat keine Credits mehr: geplante Läufe können nicht bezahlt werden');
  });

  it('say how they ended: a charter removed did not recover, in every language', () => {
    const resolved = { ...incident, resolvedAt: '2026-11-21T10:00:00.000Z' };
    const removed = { ...resolved, resolution: 'charter_removed' as const };
    const [listed] = listIncidents({ ...history, incidents: [removed], statusIncidents: [] }, new Map(), en);
    expect([incident, resolved, listed!].map((each) => incidentEnd(each, en))).toEqual([
      { tone: 'warn', label: 'Open' },
      { tone: 'good', label: 'Resolved' },
      { tone: 'neutral', label: 'Closed: charter removed' },
    ]);
    expect(incidentEnd(removed, de)).toEqual({ tone: 'neutral', label: 'Geschlossen: Charter entfernt' });
  });

  it("group by month in the reader's zone, keeping their order", () => {
    const at = (startedAt: string) => ({ ...incident, id: startedAt, startedAt });
    const newYork = { locale: 'en-US', timeZone: 'America/New_York' };
    const groups = groupByMonth([at('2026-11-01T03:00:00.000Z'), at('2026-10-31T12:00:00.000Z'), at('2026-09-02T00:00:00.000Z')], newYork);
    expect(groups.map(({ month, incidents }) => [month, incidents.map((item) => item.id)])).toEqual([
      ['October 2026', ['2026-11-01T03:00:00.000Z', '2026-10-31T12:00:00.000Z']],
      ['September 2026', ['2026-09-02T00:00:00.000Z']],
    ]);
  });
});

describe('shouldFetchHistory', () => {
  const moved = (ms: number, openIncidents = snapshot.openIncidents) => ({
    ...snapshot,
    generatedAt: new Date(Date.parse(snapshot.generatedAt) + ms).toISOString(),
    openIncidents,
  });

  it('fetches first, then after five minutes of snapshots, or at once when the open incidents change', () => {
    const mark = markOf(snapshot);
    expect(shouldFetchHistory(null, snapshot)).toBe(true);
    expect(shouldFetchHistory(mark, snapshot)).toBe(false);
    expect(shouldFetchHistory(mark, moved(60_000))).toBe(false);
    expect(shouldFetchHistory(mark, moved(historyRefreshMs - 1))).toBe(false);
    expect(shouldFetchHistory(mark, moved(historyRefreshMs))).toBe(true);
    expect(shouldFetchHistory(mark, moved(60_000, []))).toBe(true);
    expect(shouldFetchHistory(mark, moved(0, [...snapshot.openIncidents!, 'another']))).toBe(true);
  });

  it('treats a file of the first release as having no open incidents', () => {
    const { openIncidents, ...legacy } = snapshot;
    expect(markOf(legacy).openIncidents).toBe('');
    expect(shouldFetchHistory(markOf(legacy), { ...legacy, openIncidents: [] })).toBe(false);
  });
});
