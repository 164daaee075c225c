// The 90 days and the incidents in words, and when the page asks for the history again.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GovernanceHistory, Incident, PublishedStatus } from '../../shared/contract.ts';
import { charterDays, incidentAnchor, incidentTitle, summarizeCharter } from '../../site/lib/describe-history.ts';
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
    expect(describeCounts({ expected: 24, succeeded: 23, failed: 0, skipped: 0, missed: 1, running: 0 })).toBe('23 of 24 succeeded, 1 missed');
    expect(describeCounts({ expected: 1440, succeeded: 1200, failed: 200, skipped: 30, missed: 9, running: 1 })).toBe(
      '1,200 of 1,440 succeeded, 200 failed, 30 skipped, 9 missed, 1 running',
    );
    expect(describeCounts({ expected: 0, succeeded: 0, failed: 0, skipped: 0, missed: 0 })).toBe('no runs expected');
  });

  it('give the total beside the latest shown, or only what is shown when an older file has no total', () => {
    expect(describeTotal(10, 112, 'failed')).toBe('112 failed, showing the latest 10');
    expect(describeTotal(3, 3, 'failed')).toBe('3 failed');
    expect(describeTotal(3, undefined, 'failed')).toBe('showing the latest 3');
  });
});

describe('charterDays', () => {
  it('classes each day, and a day without the charter in its map has no data', () => {
    const days = charterDays(history, 'governance:engineering');
    expect(days).toHaveLength(90);
    expect(days[0]).toEqual({ date: '2026-08-24', dayClass: 'no_data', title: '2026-08-24 (UTC): no data' });
    expect(days[89]).toEqual({
      date: '2026-11-21',
      dayClass: 'some_failures',
      title: '2026-11-21 (UTC): 37 of 48 succeeded, 11 missed: some runs failed or were missed',
    });
    expect(charterDays(history, 'governance:unknown').every((day) => day.dayClass === 'no_data')).toBe(true);
  });

  it('does not take inherited keys for charters', () => {
    expect(charterDays(history, 'constructor')[0]!.dayClass).toBe('no_data');
  });
});

describe('summarizeCharter', () => {
  it('counts days without failures among the days with data, and says how many have none', () => {
    const days = charterDays(history, 'governance:engineering');
    const own = history.incidents.filter((item) => item.charterId === 'governance:engineering');
    expect(summarizeCharter(days, own)).toBe('29 of 31 days without failures, no data for 59 days; 2 incidents, 1 open');
    expect(summarizeCharter(charterDays(history, 'governance:community'), [])).toBe('88 of 90 days without failures; 0 incidents');
    expect(summarizeCharter(charterDays(history, 'nobody'), [])).toBe('0 of 0 days without failures, no data for 90 days; 0 incidents');
  });
});

describe('incidents', () => {
  it('read like the feed and have the anchor the feed links to', () => {
    expect(incidentTitle(incident, 'Engineering')).toBe('Engineering: 12 runs failed (insufficient_credits)');
    expect(incidentTitle({ ...incident, kind: 'missed', runs: 1, errorCodes: [] }, 'Engineering')).toBe('Engineering: 1 run missed');
    expect(incidentAnchor(incident.id)).toBe('incident-governance%3Aengineering%402026-11-21T07%3A00%3A00.000Z');
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
