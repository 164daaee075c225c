import { describe, expect, it } from 'vitest';
import { computePollDelay, maxRetryDelayMs, pollIntervalMs } from '../../site/lib/poll-delay.ts';

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
});
