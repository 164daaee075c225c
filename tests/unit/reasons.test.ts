// Every reason, its severity and text, and the status derived from the reasons alone.
import { describe, expect, it } from 'vitest';
import type { CharterState, Forecast } from '../../shared/contract.ts';
import { summarizeCredits } from '../../shared/credits.ts';
import { deriveReasons, formatUtc, fundingText, statusOf, type CharterSummary } from '../../shared/reasons.ts';

const now = Date.parse('2026-11-21T12:34:00.000Z');
const noForecast: Forecast = { creditsPerRun: null, fundedRuns: null, fundedUntil: null, firstUnfundedRun: null };
const plenty = summarizeCredits(10_000_000_000n, 24_000_000n); // about 10,000 hours of runway

function charter(name: string, state: CharterState, extra: Partial<CharterSummary> = {}): CharterSummary {
  return {
    id: `governance:${name.toLowerCase()}`,
    name,
    enabled: state !== 'paused',
    state,
    stateSince: null,
    scheduleError: state === 'invalid_schedule' ? 'invalid_cron' : null,
    streak: 0,
    lastCode: null,
    lastRunAt: null,
    lastSuccessAt: null,
    lastProblemAt: null,
    ...extra,
  };
}

const reasonsOf = (charters: CharterSummary[], extra: Partial<Parameters<typeof deriveReasons>[0]> = {}) =>
  deriveReasons({ now, credits: plenty, forecast: noForecast, charters, failedRunsTotal: 0, latestFailureAt: null, ...extra });

describe('statusOf', () => {
  it('is the most severe reason, and healthy without one', () => {
    expect(statusOf([])).toBe('healthy');
    expect(statusOf([{ severity: 'notice' }])).toBe('healthy');
    expect(statusOf([{ severity: 'notice' }, { severity: 'degraded' }])).toBe('degraded');
    expect(statusOf([{ severity: 'degraded' }, { severity: 'failing' }])).toBe('failing');
  });
});

describe('credit reasons', () => {
  it('credits_exhausted at a balance of zero or less, and nothing about the runway then', () => {
    const reasons = reasonsOf([], { credits: summarizeCredits(0n, 5_000n) });
    expect(reasons).toEqual([
      { code: 'credits_exhausted', severity: 'failing', charterId: null, since: null, text: 'The system account has no credits left (balance 0): scheduled runs cannot be paid for.' },
    ]);
    expect(reasonsOf([], { credits: summarizeCredits(-42n, 0n) })[0]!.text).toContain('balance -42');
  });

  it('runway_critical under 6 hours, runway_low from 6 to 24 hours, nothing above', () => {
    expect(reasonsOf([], { credits: summarizeCredits(5_000n, 24_000n) }).map((r) => [r.code, r.severity])).toEqual([['runway_critical', 'failing']]);
    expect(reasonsOf([], { credits: summarizeCredits(6_000n, 24_000n) }).map((r) => [r.code, r.severity])).toEqual([['runway_low', 'degraded']]);
    expect(reasonsOf([], { credits: summarizeCredits(24_000n, 24_000n) }).map((r) => r.code)).toEqual(['runway_low']);
    expect(reasonsOf([], { credits: summarizeCredits(25_000n, 24_000n) })).toEqual([]);
    expect(reasonsOf([], { credits: summarizeCredits(6_000n, 24_000n) })[0]!.text).toBe("The system account's credits last about 6 more hours at the current burn.");
    expect(reasonsOf([], { credits: summarizeCredits(1_000n, 24_000n) })[0]!.text).toBe("The system account's credits last about 1 more hour at the current burn.");
  });

  it('nothing about the runway when nothing is spent', () => {
    expect(reasonsOf([], { credits: summarizeCredits(1n, 0n) })).toEqual([]);
  });
});

describe('charter reasons', () => {
  it('one per charter in a state with a reason, with the charter, the count and the time', () => {
    const reasons = reasonsOf([
      charter('Engineering', 'failing', { streak: 12, stateSince: Date.parse('2026-11-21T07:00:00Z'), lastCode: 'insufficient_credits', lastRunAt: now - 600_000 }),
      charter('Community', 'missed', { streak: 4, stateSince: Date.parse('2026-11-21T11:00:00Z') }),
      charter('Govern', 'stuck', { stateSince: Date.parse('2026-11-21T10:05:00Z') }),
      charter('Treasury', 'skipped', { streak: 3, stateSince: Date.parse('2026-11-21T09:00:00Z') }),
      charter('Sustainability', 'recovering', { stateSince: Date.parse('2026-11-21T12:15:00Z'), lastProblemAt: Date.parse('2026-11-21T12:00:00Z') }),
      charter('Broken', 'invalid_schedule'),
      charter('Ledger_ingest', 'no_runs'),
      charter('Archive', 'paused'),
      charter('Quiet', 'ok'),
      charter('Busy', 'running'),
    ]);
    expect(reasons.map((r) => [r.code, r.severity, r.charterId, r.since])).toEqual([
      ['charter_missed', 'degraded', 'governance:community', '2026-11-21T11:00:00.000Z'],
      ['charter_stuck', 'degraded', 'governance:govern', '2026-11-21T10:05:00.000Z'],
      ['charter_failing', 'degraded', 'governance:engineering', '2026-11-21T07:00:00.000Z'],
      ['charter_skipped', 'degraded', 'governance:treasury', '2026-11-21T09:00:00.000Z'],
      ['charter_recovering', 'degraded', 'governance:sustainability', '2026-11-21T12:15:00.000Z'],
      ['schedule_invalid', 'degraded', 'governance:broken', null],
      ['charter_no_runs', 'notice', 'governance:ledger_ingest', null],
      ['charter_paused', 'notice', 'governance:archive', null],
    ]);
    const text = Object.fromEntries(reasons.map((r) => [r.code, r.text]));
    expect(text.charter_failing).toBe('Engineering has failed 12 runs in a row since 07:00 UTC: insufficient_credits');
    expect(text.charter_missed).toBe('Community has missed 4 scheduled runs in a row since 11:00 UTC: the scheduler may have stopped.');
    expect(text.charter_stuck).toBe('Govern has had a run in progress since 10:05 UTC: it may be stuck.');
    expect(text.charter_skipped).toBe("Treasury's last 3 runs were skipped since 09:00 UTC: its execution grant may be revoked or expired.");
    expect(text.charter_recovering).toBe('Sustainability is recovering: its latest run succeeded at 12:15 UTC after a problem at 12:00 UTC.');
    expect(text.schedule_invalid).toBe("Broken's schedule cannot be read (invalid cron expression): it runs at no known time.");
    expect(text.charter_no_runs).toBe('Ledger_ingest has no recorded runs: its runs are recorded elsewhere, or it has never run.');
    expect(text.charter_paused).toBe('Archive is paused: it is not scheduled to run.');
    expect(statusOf(reasons)).toBe('degraded');
  });

  it('says when a streak began before the window and names another day by its date', () => {
    const reason = reasonsOf([charter('Engineering', 'failing', { streak: 1440, lastCode: 'insufficient_credits' })]).find((r) => r.code === 'charter_failing');
    expect(reason!.text).toBe('Engineering has failed every run for more than 24 hours (1,440 runs in the last 24 h): insufficient_credits');
    expect(formatUtc(Date.parse('2026-11-20T23:00:00Z'), now)).toBe('Nov 20 23:00 UTC');
    const missed = reasonsOf([charter('Community', 'missed', { streak: 1, stateSince: Date.parse('2026-11-21T12:15:00Z') })]).find((r) => r.code === 'charter_missed');
    expect(missed!.text).toBe('Community missed its run due at 12:15 UTC: no run was recorded for it.');
  });

  it('all_charters_down (failing) when every charter with expectations is missed, stuck, failing or skipped', () => {
    const down = reasonsOf([charter('A', 'failing', { streak: 2 }), charter('B', 'missed', { streak: 3 }), charter('C', 'paused'), charter('D', 'no_runs')]);
    expect(down[0]).toMatchObject({ code: 'all_charters_down', severity: 'failing', charterId: null });
    expect(statusOf(down)).toBe('failing');
    expect(reasonsOf([charter('A', 'failing'), charter('B', 'recovering')]).map((r) => r.code)).not.toContain('all_charters_down');
    expect(reasonsOf([charter('C', 'paused'), charter('D', 'no_runs')]).map((r) => r.code)).not.toContain('all_charters_down');
  });

  it('runs_failed_recently (notice) when runs failed in 24 h but no charter is failing now', () => {
    const reasons = reasonsOf([charter('A', 'ok')], { failedRunsTotal: 7, latestFailureAt: Date.parse('2026-11-21T09:30:00Z') });
    expect(reasons).toEqual([
      { code: 'runs_failed_recently', severity: 'notice', charterId: null, since: null, text: '7 runs failed in the last 24 h, the latest at 09:30 UTC; no charter is failing now.' },
    ]);
    expect(statusOf(reasons)).toBe('healthy');
    const failingNow = reasonsOf([charter('A', 'failing', { streak: 1 }), charter('B', 'ok')], { failedRunsTotal: 7, latestFailureAt: now });
    expect(failingNow.map((r) => r.code)).toEqual(['charter_failing']);
  });
});

describe('funding_ends_soon', () => {
  const forecast = (at: string | null, runs = '40', until: string | null = '2026-11-22T05:00:00.000Z'): Forecast => ({
    creditsPerRun: '1000',
    fundedRuns: runs,
    fundedUntil: until,
    firstUnfundedRun: at === null ? null : { charterId: 'governance:a', at },
  });

  it('degraded when the first unfunded run is within 24 hours, with the forecast in words', () => {
    const reasons = reasonsOf([], { forecast: forecast('2026-11-22T06:00:00.000Z') });
    expect(reasons).toEqual([
      {
        code: 'funding_ends_soon',
        severity: 'degraded',
        charterId: null,
        since: null,
        text: 'The balance pays for about 40 more runs, until Sun 05:00 UTC (an estimate from the average run).',
      },
    ]);
    expect(reasonsOf([], { forecast: forecast('2026-11-22T13:00:00.000Z') })).toEqual([]);
    expect(reasonsOf([], { forecast: forecast(null) })).toEqual([]);
  });

  it('is left out when the balance is already spent: credits_exhausted says it once', () => {
    const reasons = reasonsOf([], { credits: summarizeCredits(0n, 1000n), forecast: forecast('2026-11-21T12:45:00.000Z', '0', null) });
    expect(reasons.map((reason) => reason.code)).toEqual(['credits_exhausted']);
  });

  it('says so when the balance pays for nothing or is not being spent', () => {
    expect(fundingText(forecast('2026-11-21T12:45:00.000Z', '0', null), now)).toBe('The balance pays for no more runs.');
    expect(fundingText(noForecast, now)).toBe('The balance is not being spent on runs: no end of funding is in sight.');
    expect(fundingText(forecast(null, '123456789012345678901', null), now)).toBe(
      'The balance pays for about 123,456,789,012,345,678,901 more runs, more than 30 days ahead (an estimate from the average run).',
    );
  });
});

describe('order of reasons', () => {
  it('most severe first, then by the order of codes, then by charter name', () => {
    const reasons = reasonsOf([charter('Zeta', 'failing', { streak: 2 }), charter('Alpha', 'failing', { streak: 2 }), charter('Mu', 'paused')], {
      credits: summarizeCredits(0n, 1n),
    });
    expect(reasons.map((r) => `${r.severity}:${r.code}:${r.charterId ?? ''}`)).toEqual([
      'failing:credits_exhausted:',
      'failing:all_charters_down:',
      'degraded:charter_failing:governance:alpha',
      'degraded:charter_failing:governance:zeta',
      'notice:charter_paused:governance:mu',
    ]);
  });
});
