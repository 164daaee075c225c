import { describe, expect, it } from 'vitest';
import { computePollDelay, maxRetryDelayMs, minPollDelayMs, pollIntervalMs, staleLeadMs } from '../../site/lib/poll-delay.ts';

describe('computePollDelay', () => {
  it('polls every 30 s while fetches succeed', () => {
    expect(pollIntervalMs).toBe(30_000);
    expect(computePollDelay(0)).toBe(30_000);
  });

  it('doubles per consecutive failure and stops at 5 min', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map(computePollDelay)).toEqual([
      30_000, 60_000, 120_000, 240_000, 300_000, 300_000, 300_000,
    ]);
    expect(maxRetryDelayMs).toBe(300_000);
  });

  it('asks again before the snapshot shown goes stale, when that comes before the cadence', () => {
    // the demo's schedule (every 5 s): a snapshot fresh for 15 s, fetched 2 s after it was made
    expect(computePollDelay(0, 13_000)).toBe(13_000 - staleLeadMs);
    expect(computePollDelay(0, 60_000)).toBe(pollIntervalMs);
    // never sooner than the floor, however short the window
    expect(computePollDelay(0, 1_000)).toBe(minPollDelayMs);
    // already stale: the worker is behind, and is not asked every 2 s
    expect(computePollDelay(0, 0)).toBe(pollIntervalMs);
    expect(computePollDelay(0, -5_000)).toBe(pollIntervalMs);
    // failures back off as before
    expect(computePollDelay(2, 13_000)).toBe(60_000);
  });
});
