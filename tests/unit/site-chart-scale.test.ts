// The charts' value scale: a round top above the largest bar, and labels a person reads.
import { describe, expect, it } from 'vitest';
import { formatCompact, formatScale, niceCeiling } from '../../site/lib/chart-scale.ts';

describe('niceCeiling', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 1.2, 2, 3, 7, 10, 11, 4_800_000_000, 16_000_000_000].map(niceCeiling)).toEqual([
      0, 1, 2, 2, 5, 10, 10, 20, 5_000_000_000, 20_000_000_000,
    ]);
    expect(niceCeiling(0.03)).toBeCloseTo(0.05);
    expect(niceCeiling(-5)).toBe(0);
  });
});

describe('formatCompact and formatScale', () => {
  it('keeps axis labels short, with a space before the unit', () => {
    expect(formatCompact(0)).toBe('0');
    expect(formatCompact(750)).toBe('750');
    expect(formatCompact(1_500)).toBe('1.5\u00a0K');
    expect(formatCompact(20_000_000_000)).toBe('20\u00a0B');
  });

  it('takes bigints as they are (the sums of the usage panel), past what a JS number holds', () => {
    expect(formatCompact(420_000_000n)).toBe('420\u00a0M');
    expect(formatCompact(2n ** 63n - 1n)).toBe('9,223,372\u00a0T');
    expect(formatCompact(-1_500n)).toBe('-1.5\u00a0K');
  });

  it('reads in dollars when the rate is known', () => {
    expect(formatScale(20_000_000_000, 10_000_000)).toBe('$2\u00a0K');
    expect(formatScale(5_000_000, 10_000_000)).toBe('$0.50');
    expect(formatScale(0, 10_000_000)).toBe('$0');
    expect(formatScale(20_000_000_000, undefined)).toBe('20\u00a0B');
  });
});
