// The forecast at zero, tiny and huge balances (bigints past 2^53) and with no runs.
import { describe, expect, it } from 'vitest';
import { creditsPerRun, forecastByCharter, forecastFunding, fundedRunsOf, nthFire } from '../../shared/forecast.ts';

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

describe('forecastByCharter: each charter at its own cost per run', () => {
  const a = { charterId: 'governance:a', fires: every(0, 30, 30 * 48) }; // every 30 minutes from 12:00
  const b = { charterId: 'governance:b', fires: every(15, 60, 30 * 24) }; // hourly at :15
  const own = (entries: Array<[string, bigint]>) => new Map(entries);

  it("walks the fires at each charter's own cost and names the one the balance stops paying for first", () => {
    // 12:00 a 10 → 10, 12:15 b 100 → 110, 12:30 a 10 → 120, 13:00 a 10 → 130 > 125
    const result = forecastByCharter({
      balance: 125n,
      spentLast24h: 240n,
      runsStarted: 24,
      upcoming: [b, a],
      horizonEnd,
      ownCreditsPerRun: own([['governance:a', 10n], ['governance:b', 100n]]),
    });
    expect(result).toEqual({
      forecast: { creditsPerRun: '10', fundedRuns: '3', fundedUntil: '2026-11-21T12:30:00.000Z', firstUnfundedRun: { charterId: 'governance:a', at: '2026-11-21T13:00:00.000Z' } },
      charters: [
        { charterId: 'governance:a', creditsPerRun: '10', basis: 'own' },
        { charterId: 'governance:b', creditsPerRun: '100', basis: 'own' },
      ],
    });
  });

  it('stops at the expensive charter while the cheap ones before it are still paid for', () => {
    // 12:00 a 1 → 1, 12:15 b 100 → 101, 12:30 a → 102, 13:00 a → 103, 13:15 b → 203 > 150
    const result = forecastByCharter({ balance: 150n, spentLast24h: 0n, runsStarted: 0, upcoming: [a, b], horizonEnd, ownCreditsPerRun: own([['governance:a', 1n], ['governance:b', 100n]]) });
    expect(result.forecast).toEqual({ creditsPerRun: null, fundedRuns: '4', fundedUntil: '2026-11-21T13:00:00.000Z', firstUnfundedRun: { charterId: 'governance:b', at: '2026-11-21T13:15:00.000Z' } });
  });

  it('prices a charter without runs of its own at the average run, and says so', () => {
    const result = forecastByCharter({ balance: 125n, spentLast24h: 2_400n, runsStarted: 24, upcoming: [a, b], horizonEnd, ownCreditsPerRun: own([['governance:a', 10n]]) });
    expect(result.charters).toEqual([
      { charterId: 'governance:a', creditsPerRun: '10', basis: 'own' },
      { charterId: 'governance:b', creditsPerRun: '100', basis: 'average' },
    ]);
    expect(result.forecast.firstUnfundedRun).toEqual({ charterId: 'governance:a', at: '2026-11-21T13:00:00.000Z' });
    expect(result.forecast.creditsPerRun).toBe('100'); // the contract's average run, as before
  });

  it('leaves a charter out of the walk when neither its own cost nor an average is known', () => {
    const result = forecastByCharter({ balance: 25n, spentLast24h: 0n, runsStarted: 0, upcoming: [a, b], horizonEnd, ownCreditsPerRun: own([['governance:b', 10n]]) });
    expect(result.charters).toEqual([
      { charterId: 'governance:a', creditsPerRun: null, basis: 'none' },
      { charterId: 'governance:b', creditsPerRun: '10', basis: 'own' },
    ]);
    // b at 12:15 → 10, 13:15 → 20, 14:15 → 30 > 25; a's fires in between are free: 6 fires funded before
    expect(result.forecast).toEqual({ creditsPerRun: null, fundedRuns: '7', fundedUntil: '2026-11-21T14:00:00.000Z', firstUnfundedRun: { charterId: 'governance:b', at: '2026-11-21T14:15:00.000Z' } });
  });

  it('breaks a tie at one instant by charter id: the first that does not fit is unfunded', () => {
    const z = { charterId: 'governance:z', fires: every(0, 60, 3) };
    const m = { charterId: 'governance:m', fires: every(0, 60, 3) };
    const result = forecastByCharter({ balance: 15n, spentLast24h: 0n, runsStarted: 0, upcoming: [z, m], horizonEnd, ownCreditsPerRun: own([['governance:z', 10n], ['governance:m', 5n]]) });
    // 12:00 m 5, z 10 → 15, 13:00 m → 20 > 15
    expect(result.forecast).toMatchObject({ fundedRuns: '2', fundedUntil: '2026-11-21T12:00:00.000Z', firstUnfundedRun: { charterId: 'governance:m', at: '2026-11-21T13:00:00.000Z' } });
    const tight = forecastByCharter({ balance: 12n, spentLast24h: 0n, runsStarted: 0, upcoming: [z, m], horizonEnd, ownCreditsPerRun: own([['governance:z', 10n], ['governance:m', 5n]]) });
    expect(tight.forecast).toMatchObject({ fundedRuns: '1', fundedUntil: '2026-11-21T12:00:00.000Z', firstUnfundedRun: { charterId: 'governance:z', at: '2026-11-21T12:00:00.000Z' } });
    // a balance that pays for m exactly still pays for it: only the run that exceeds it is unfunded
    const exact = forecastByCharter({ balance: 5n, spentLast24h: 0n, runsStarted: 0, upcoming: [z, m], horizonEnd, ownCreditsPerRun: own([['governance:z', 10n], ['governance:m', 5n]]) });
    expect(exact.forecast).toMatchObject({ fundedRuns: '1', firstUnfundedRun: { charterId: 'governance:z', at: '2026-11-21T12:00:00.000Z' } });
  });

  it('beyond the horizon, extrapolates the funded runs from the horizon’s mix of charters', () => {
    const few = [
      { charterId: 'governance:a', fires: every(0, 60, 3) },
      { charterId: 'governance:b', fires: every(30, 60, 1) },
    ];
    // the horizon's 4 fires cost 3 x 10 + 70 = 100: 1,000 credits pay for 1,000 x 4 / 100 = 40 fires
    const result = forecastByCharter({ balance: 1_000n, spentLast24h: 0n, runsStarted: 0, upcoming: few, horizonEnd, ownCreditsPerRun: own([['governance:a', 10n], ['governance:b', 70n]]) });
    expect(result.forecast).toEqual({ creditsPerRun: null, fundedRuns: '40', fundedUntil: null, firstUnfundedRun: null });
  });

  it('treats an own cost of zero or less as free, and at a balance of zero the next fire is unfunded whatever it costs', () => {
    const free = forecastByCharter({ balance: 10n, spentLast24h: 0n, runsStarted: 0, upcoming: [a], horizonEnd, ownCreditsPerRun: own([['governance:a', -5n]]) });
    expect(free.forecast).toEqual({ creditsPerRun: null, fundedRuns: null, fundedUntil: null, firstUnfundedRun: null });
    expect(free.charters).toEqual([{ charterId: 'governance:a', creditsPerRun: '0', basis: 'own' }]);
    const broke = forecastByCharter({ balance: 0n, spentLast24h: 0n, runsStarted: 0, upcoming: [a, b], horizonEnd, ownCreditsPerRun: own([['governance:a', 0n]]) });
    expect(broke.forecast).toEqual({ creditsPerRun: null, fundedRuns: '0', fundedUntil: null, firstUnfundedRun: { charterId: 'governance:a', at: '2026-11-21T12:00:00.000Z' } });
  });

  it('with every charter at the average, is exactly the average-run forecast, balance by balance', () => {
    for (const balance of [-3n, 0n, 1n, 9n, 10n, 45n, 1_234n, 14_399n, 14_400n, 14_401n, 123_456_789_012_345_678n]) {
      const input = { balance, spentLast24h: 240n, runsStarted: 24, upcoming: [b, a], horizonEnd };
      const same = forecastByCharter({ ...input, ownCreditsPerRun: own([['governance:a', 10n], ['governance:b', 10n]]) });
      expect([balance, same.forecast]).toEqual([balance, forecastFunding(input)]);
      expect(same.charters.map((charter) => charter.basis)).toEqual(['own', 'own']);
    }
  });

  it('finds the first unfunded run among hundreds of thousands of fires at mixed costs without walking them', () => {
    const many = Array.from({ length: 10 }, (_, index) => ({ charterId: `c${index}`, fires: every(index, 10, 43_200) }));
    const costs = own(many.map(({ charterId }, index) => [charterId, index === 0 ? 2n : 1n]));
    // a round of ten minutes costs 11: 400,000 credits pay for 36,363 rounds (399,993), then c0 (+2)
    // and c1 to c5 (+1 each) reach exactly 400,000: c6 is the first run they cannot pay for
    const result = forecastByCharter({ balance: 400_000n, spentLast24h: 0n, runsStarted: 0, upcoming: many, horizonEnd: Number.MAX_SAFE_INTEGER, ownCreditsPerRun: costs });
    expect(result.forecast.firstUnfundedRun).toEqual({ charterId: 'c6', at: new Date(now + (36_363 * 10 + 6) * minute).toISOString() });
    expect(result.forecast.fundedRuns).toBe(String(36_363 * 10 + 6));
    expect(result.forecast.fundedUntil).toBe(new Date(now + (36_363 * 10 + 5) * minute).toISOString());
  });
});
