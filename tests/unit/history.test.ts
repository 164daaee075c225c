// Daily counts (DST days, UTC midnight) and incident streaks, from expected fires and their runs.
import { describe, expect, it } from 'vitest';
import { expectedFires, type ExpectedFire, type RunRecord } from '../../shared/charter-state.ts';
import { classifyDay, countDay, incidentId, noStreak, toIncident, walkStreak, withinHorizon } from '../../shared/history.ts';
import { runFinishedAt } from '../../shared/charter-state.ts';
import { firesBetween } from '../../shared/schedule.ts';

const hour = 3_600_000;
const day = 24 * hour;
const t = (iso: string) => Date.parse(iso);
const run = (scheduledFor: number, status: RunRecord['status'], code: string | null = status === 'error' ? 'insufficient_credits' : null): RunRecord => ({
  runId: `r-${scheduledFor}`,
  status,
  scheduledFor,
  startedAt: scheduledFor,
  completedAt: scheduledFor + 60_000,
  code,
});

/** The expected fires of one UTC day, as the history counts them. */
function dayOf(cron: string, timezone: string, date: string, status: (fire: number) => RunRecord['status'] | null) {
  const start = t(`${date}T00:00:00Z`);
  const fires = firesBetween(cron, timezone, start, start + day);
  const runs = fires.flatMap((fire) => {
    const chosen = status(fire);
    return chosen === null ? [] : [run(fire, chosen)];
  });
  return expectedFires({ fires, runs, quiet: null, firstRunAt: start - 30 * day }, start - 1, start + day - 1);
}

describe('daily counts', () => {
  it('count the fires of the UTC day in the charter’s time zone: a 23-hour local day (Berlin, 29 March)', () => {
    // 06:00 and 18:00 local are 04:00Z and 16:00Z once summer time has begun at 01:00Z
    const expected = dayOf('0 6,18 * * *', 'Europe/Berlin', '2026-03-29', () => 'success');
    expect(expected.map((fire) => new Date(fire.at).toISOString())).toEqual(['2026-03-29T04:00:00.000Z', '2026-03-29T16:00:00.000Z']);
    // every local hour of the 23-hour day: 00:00 CET .. 23:00 CEST, of which 22:00 and 23:00 CEST fall on this UTC day too
    const hourly = dayOf('0 * * * *', 'Europe/Berlin', '2026-03-29', () => 'success');
    expect(countDay(hourly)).toEqual({ expected: 24, succeeded: 24, failed: 0, skipped: 0, missed: 0 });
  });

  it('a 25-hour local day (New York, 1 November): a 01:30 schedule runs twice, as Temporal runs it, a half-hourly one 48 times in the UTC day', () => {
    const daily = dayOf('30 1 * * *', 'America/New_York', '2026-11-01', () => 'success');
    expect(daily.map((fire) => new Date(fire.at).toISOString())).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']);
    const halfHourly = dayOf('*/30 * * * *', 'America/New_York', '2026-11-01', (fire) => (fire < t('2026-11-01T06:00:00Z') ? 'success' : null));
    expect(countDay(halfHourly)).toEqual({ expected: 48, succeeded: 12, failed: 0, skipped: 0, missed: 36 });
  });

  it('split at UTC midnight: a fire at 23:50 belongs to its day, the one at 00:10 to the next', () => {
    const cron = '10,50 * * * *';
    const before = dayOf(cron, 'UTC', '2026-11-20', (fire) => (fire === t('2026-11-20T23:50:00Z') ? 'error' : 'success'));
    const after = dayOf(cron, 'UTC', '2026-11-21', (fire) => (fire === t('2026-11-21T00:10:00Z') ? null : 'success'));
    expect(countDay(before)).toEqual({ expected: 48, succeeded: 47, failed: 1, skipped: 0, missed: 0 });
    expect(countDay(after)).toEqual({ expected: 48, succeeded: 47, failed: 0, skipped: 0, missed: 1 });
  });

  it('a run still in progress is expected and nothing else yet', () => {
    expect(countDay([{ at: 0, run: run(0, 'running') }])).toEqual({ expected: 1, succeeded: 0, failed: 0, skipped: 0, missed: 0 });
  });

  it('reads as ok, some failures, failed, missed, no runs expected, no data', () => {
    const counts = (succeeded: number, failed: number, skipped: number, missed: number) => ({ expected: succeeded + failed + skipped + missed, succeeded, failed, skipped, missed });
    expect(classifyDay(counts(24, 0, 0, 0))).toBe('ok');
    expect(classifyDay(counts(23, 1, 0, 0))).toBe('some_failures');
    expect(classifyDay(counts(0, 20, 4, 0))).toBe('failed');
    expect(classifyDay(counts(0, 2, 0, 22))).toBe('missed');
    expect(classifyDay(counts(0, 0, 0, 0))).toBe('none_expected');
    expect(classifyDay(undefined)).toBe('no_data');
  });
});

describe('streaks', () => {
  const id = 'governance:engineering';
  const fires = (outcomes: Array<RunRecord['status'] | null>, start = t('2026-11-21T00:00:00Z')): ExpectedFire[] =>
    outcomes.map((status, index) => {
      const at = start + index * hour;
      return { at, run: status === null ? null : run(at, status) };
    });
  const walk = (outcomes: Array<RunRecord['status'] | null>, options = {}) => walkStreak(noStreak, fires(outcomes), options);

  it('a streak opens at its first non-success, and a success resolves it when that run finished, at its fire', () => {
    const { state, resolved } = walk(['success', 'error', 'error', null, 'success', 'success']);
    expect(state).toEqual(noStreak);
    expect(resolved.map((end) => [toIncident(id, end.streak, end.resolvedAt), new Date(end.endAt).toISOString()])).toEqual([
      [
        {
          id: incidentId(id, t('2026-11-21T01:00:00Z')),
          charterId: id,
          kind: 'failed',
          startedAt: '2026-11-21T01:00:00.000Z',
          resolvedAt: '2026-11-21T04:01:00.000Z',
          runs: 3,
          errorCodes: ['insufficient_credits'],
        },
        '2026-11-21T04:00:00.000Z',
      ],
    ]);
  });

  it('a missed run between failures continues it', () => {
    const mixed = walk(['error', null, 'error', 'success']);
    expect(mixed.resolved).toHaveLength(1);
    expect(toIncident(id, mixed.resolved[0]!.streak, 0)).toMatchObject({ kind: 'failed', runs: 3 });
  });

  it('kind is what most of its runs did; an open streak stays open across calls (days) with the same id', () => {
    const first = walk(['success', null, null, 'error']);
    expect(first.state.streak).toMatchObject({ startedAt: t('2026-11-21T01:00:00Z'), missed: 2, failed: 1, settledRuns: 3 });
    const second = walkStreak(first.state, fires([null, 'running', null], t('2026-11-22T00:00:00Z')));
    expect(toIncident(id, second.state.streak!, null)).toEqual({
      id: `${id}@2026-11-21T01:00:00.000Z`,
      charterId: id,
      kind: 'missed',
      startedAt: '2026-11-21T01:00:00.000Z',
      resolvedAt: null,
      runs: 5,
      errorCodes: ['insufficient_credits'],
    });
    // the run in progress is not settled: what the streak is sure of ends before it
    expect(second.state).toMatchObject({ unsettledAt: t('2026-11-22T01:00:00Z'), streak: { settledRuns: 4 } });
  });

  it('a run in progress is settled only when the caller says so (stuck): then it neither continues nor ends the streak', () => {
    const stuck = walk(['error', 'running', 'error'], { isSettled: () => true });
    expect(stuck.state).toMatchObject({ unsettledAt: null, streak: { failed: 2, settledRuns: 2 } });
  });

  it('a fire past knownUntil (inside its grace) ends the walk unsettled, whatever its row says', () => {
    const graced = walk(['error', 'success'], { knownUntil: t('2026-11-21T00:30:00Z') });
    expect(graced.resolved).toEqual([]);
    expect(graced.state).toMatchObject({ unsettledAt: t('2026-11-21T01:00:00Z'), streak: { failed: 1, settledRuns: 1 } });
  });

  it('a fire not settled before the streak opens makes its start uncertain: nothing of it is sure', () => {
    const pendingFirst = walk(['success', 'running', 'error', 'error']);
    expect(pendingFirst.state).toMatchObject({ unsettledAt: t('2026-11-21T01:00:00Z'), streak: { startedAt: t('2026-11-21T02:00:00Z'), settledRuns: 0 } });
    // a success after it settles what follows anew
    expect(walk(['running', 'success', 'error']).state).toMatchObject({ unsettledAt: null, streak: { settledRuns: 1 } });
  });

  it('a streak that was already open before the rows read keeps its earlier start', () => {
    const { state } = walk(['error', 'error'], { openedAt: t('2026-10-01T00:00:00Z') });
    expect(toIncident(id, state.streak!, null).id).toBe(`${id}@2026-10-01T00:00:00.000Z`);
    const notOpen = walk(['success', 'error'], { openedAt: t('2026-10-01T00:00:00Z') });
    expect(notOpen.state.streak!.startedAt).toBe(t('2026-11-21T01:00:00Z'));
  });

  describe('a success’s completed_at is only a row: the streak resolves within the run’s slot and now', () => {
    // six failed fires, then a success at 06:00 whose row says it completed at `completedAt`
    const recovered = (completedAt: number, now?: number) => {
      const expected = fires(['error', 'error', 'error', 'error', 'error', 'error', 'success']);
      const success = expected[6]!;
      expected[6] = { at: success.at, run: { ...success.run!, completedAt } };
      const { resolved } = walkStreak(noStreak, expected, { now });
      expect(resolved).toHaveLength(1);
      return toIncident(id, resolved[0]!.streak, resolved[0]!.resolvedAt);
    };
    const now = t('2026-11-21T12:00:00Z');

    it('one completed in 2000 resolves it at the run’s slot, never before the incident began (it would leave the 90 days at once)', () => {
      expect(recovered(t('2000-01-01T00:00:00Z'), now)).toMatchObject({ startedAt: '2026-11-21T00:00:00.000Z', resolvedAt: '2026-11-21T06:00:00.000Z' });
    });

    it('one completed in 2100 resolves it at the run’s slot, which stays put, never after now (it would overlap every day to come)', () => {
      expect(recovered(t('2100-01-01T00:00:00Z'), now)).toMatchObject({ resolvedAt: '2026-11-21T06:00:00.000Z', runs: 6 });
    });

    it('one completed within its slot and now resolves it then, as before', () => {
      expect(recovered(t('2026-11-21T06:04:00Z'), now).resolvedAt).toBe('2026-11-21T06:04:00.000Z');
      expect(runFinishedAt({ scheduledFor: t('2026-11-21T06:00:00Z'), completedAt: null }, now)).toBe(t('2026-11-21T06:00:00Z'));
    });
  });

  it('skipped runs make a skipped incident, ties go to the more serious kind', () => {
    expect(toIncident(id, walk(['skipped', 'skipped', 'cancelled']).state.streak!, null).kind).toBe('skipped');
    expect(toIncident(id, walk(['error', null]).state.streak!, null).kind).toBe('failed');
  });
});

describe('the 90 days’ horizon', () => {
  const horizon = t('2026-09-01T00:00:00Z');
  const incident = (startedAt: string, resolvedAt: string | null) => ({
    id: `governance:govern@${startedAt}`,
    charterId: 'governance:govern',
    kind: 'failed' as const,
    startedAt,
    resolvedAt,
    runs: 6,
    errorCodes: [],
  });
  const none = new Map();

  it('an incident leaves once it resolved before the 90 days; one open, or resolved within them, stays', () => {
    const old = incident('2026-08-01T00:00:00.000Z', '2026-08-02T00:00:00.000Z');
    const open = incident('2026-08-01T00:00:00.000Z', null);
    const recent = incident('2026-08-01T00:00:00.000Z', '2026-09-02T00:00:00.000Z');
    expect(withinHorizon([old, open, recent], none, horizon)).toEqual([open, recent]);
  });

  it('never drops one announced open because of its resolvedAt: it leaves only once published resolved', () => {
    const resolved = incident('2026-08-01T00:00:00.000Z', '2026-08-02T00:00:00.000Z');
    expect(withinHorizon([resolved], new Map([[resolved.id, { resolvedAt: null }]]), horizon)).toEqual([resolved]);
    expect(withinHorizon([resolved], new Map([[resolved.id, resolved]]), horizon)).toEqual([]);
  });

  it('reads an end before its start (a resolvedAt of 2000 published before runFinishedAt) as its start: it stays while that is within the 90 days', () => {
    const planted = incident('2026-12-05T22:15:00.000Z', '2000-01-01T00:00:00.000Z');
    expect(withinHorizon([planted], new Map([[planted.id, planted]]), horizon)).toEqual([planted]);
    expect(withinHorizon([planted], none, t('2027-03-01T00:00:00Z'))).toEqual([]);
  });
});
