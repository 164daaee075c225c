// The forecast at zero, tiny and huge balances (bigints past 2^53) and with no runs.
import { describe, expect, it } from 'vitest';
import { creditsPerRun, forecastFunding, fundedRunsOf, nthFire } from '../../shared/forecast.ts';

const now = Date.parse('2026-11-21T12:00:00.000Z');
const minute = 60_000;
const horizonEnd = now + 30 * 24 * 60 * minute;
const every = (startMinutes: number, stepMinutes: number, count: number) =>
  Array.from({ length: count }, (_, i) => now + (startMinutes + i * stepMinutes) * minute);

describe('credits per run and funded runs', () => {
  it('is the average run of the last 24 h, rounded up; null without runs', () => {
    expect(creditsPerRun(1_000n, 3)).toBe(334n);
    expect(creditsPerRun(1_000n, 0)).toBeNull();
    expect(creditsPerRun(0n, 5)).toBe(0n);
    expect(creditsPerRun(-10n, 5)).toBe(0n);
  });

  it('is 0 at a balance of zero or less; null when runs cost nothing or nothing is known', () => {
    expect(fundedRunsOf(0n, 10n)).toBe(0n);
    expect(fundedRunsOf(-5n, null)).toBe(0n);
    expect(fundedRunsOf(100n, 0n)).toBeNull();
    expect(fundedRunsOf(100n, null)).toBeNull();
    expect(fundedRunsOf(99n, 10n)).toBe(9n);
    expect(fundedRunsOf(123_456_789_012_345_678_901n, 7n)).toBe(17_636_684_144_620_811_271n);
  });
});

describe('forecastFunding', () => {
  const upcoming = [
    { charterId: 'governance:b', fires: every(15, 60, 30 * 24) }, // hourly at :15
    { charterId: 'governance:a', fires: every(0, 30, 30 * 48) }, // every 30 minutes
  ];

  it('walks the fires of every charter in time order to the first one the balance cannot pay', () => {
    // 10 credits per run, 45 credits: 4 runs funded (12:00 a, 12:15 b, 12:30 a, 13:00 a), the 5th is 13:15 b
    const forecast = forecastFunding({ balance: 45n, spentLast24h: 240n, runsStarted: 24, upcoming, horizonEnd });
    expect(forecast).toEqual({
      creditsPerRun: '10',
      fundedRuns: '4',
      fundedUntil: '2026-11-21T13:00:00.000Z',
      firstUnfundedRun: { charterId: 'governance:b', at: '2026-11-21T13:15:00.000Z' },
    });
  });

  it('at a balance of zero the very next fire is unfunded and nothing before it is', () => {
    const forecast = forecastFunding({ balance: 0n, spentLast24h: 240n, runsStarted: 24, upcoming, horizonEnd });
    expect(forecast).toEqual({ creditsPerRun: '10', fundedRuns: '0', fundedUntil: null, firstUnfundedRun: { charterId: 'governance:a', at: '2026-11-21T12:00:00.000Z' } });
  });

  it('a tiny balance funds one run', () => {
    const forecast = forecastFunding({ balance: 1n, spentLast24h: 1n, runsStarted: 1, upcoming, horizonEnd });
    expect(forecast.fundedRuns).toBe('1');
    expect(forecast.fundedUntil).toBe('2026-11-21T12:00:00.000Z');
    expect(forecast.firstUnfundedRun).toEqual({ charterId: 'governance:b', at: '2026-11-21T12:15:00.000Z' });
  });

  it('a huge balance lies beyond the 30-day horizon: both null, the count stays exact', () => {
    const forecast = forecastFunding({ balance: 123_456_789_012_345_678n, spentLast24h: 24n, runsStarted: 24, upcoming, horizonEnd });
    expect(forecast).toEqual({ creditsPerRun: '1', fundedRuns: '123456789012345678', fundedUntil: null, firstUnfundedRun: null });
  });

  it('with no runs in the last 24 hours there is no average run and no forecast', () => {
    expect(forecastFunding({ balance: 5_000n, spentLast24h: 5_000n, runsStarted: 0, upcoming, horizonEnd })).toEqual({
      creditsPerRun: null,
      fundedRuns: null,
      fundedUntil: null,
      firstUnfundedRun: null,
    });
  });

  it('breaks ties between charters firing at the same instant by charter id', () => {
    const same = [
      { charterId: 'governance:z', fires: every(0, 60, 3) },
      { charterId: 'governance:m', fires: every(0, 60, 3) },
    ];
    expect(nthFire(same, 0)).toEqual({ charterId: 'governance:m', time: now });
    expect(nthFire(same, 1)).toEqual({ charterId: 'governance:z', time: now });
    expect(nthFire(same, 2)).toEqual({ charterId: 'governance:m', time: now + 60 * minute });
    expect(nthFire(same, 6)).toBeNull();
  });

  it('finds fire number n among hundreds of thousands without walking them', () => {
    const many = Array.from({ length: 10 }, (_, index) => ({ charterId: `c${index}`, fires: every(index, 10, 43_200) }));
    expect(nthFire(many, 400_000)).toEqual({ charterId: 'c0', time: now + 400_000 * minute });
  });
});
