// Uptime at its edges: what counts against it, what counts not at all, and a rounding that never
// reads 100 % while a run failed.
import { describe, expect, it } from 'vitest';
import type { DayCounts } from '../../shared/contract.ts';
import { formatUptime, uptimeOf } from '../../shared/uptime.ts';

const day = (succeeded: number, bad: Partial<DayCounts> = {}, running = 0): DayCounts => {
  const counts = { succeeded, failed: 0, skipped: 0, missed: 0, ...bad };
  return { expected: counts.succeeded + counts.failed + counts.skipped + counts.missed + running, ...counts };
};

describe('uptimeOf', () => {
  it('is null when nothing was expected: no days, days without data, days with nothing expected', () => {
    expect(uptimeOf([])).toBeNull();
    expect(uptimeOf([undefined, undefined])).toBeNull();
    expect(uptimeOf([day(0), undefined, day(0)])).toBeNull();
  });

  it('counts failed, skipped and missed runs against it, and a run in progress neither way', () => {
    expect(uptimeOf([day(2, { failed: 1 }), day(3, { skipped: 1 }), day(1, { missed: 2 })])).toEqual({ succeeded: 6, judged: 10 });
    expect(uptimeOf([day(5, {}, 1)])).toEqual({ succeeded: 5, judged: 5 });
    expect(uptimeOf([day(0, {}, 1)])).toBeNull();
  });

  it('leaves out days without data and days with nothing expected', () => {
    expect(uptimeOf([undefined, day(0), day(9, { failed: 1 }), undefined])).toEqual({ succeeded: 9, judged: 10 });
  });
});

describe('formatUptime', () => {
  it('rounds down to a tenth, so one failure in ten thousand is not 100 %', () => {
    expect(formatUptime({ succeeded: 9_999, judged: 10_000 })).toBe('99.9\u00a0%');
    expect(formatUptime({ succeeded: 1_439, judged: 1_440 })).toBe('99.9\u00a0%');
    expect(formatUptime({ succeeded: 2, judged: 3 })).toBe('66.6\u00a0%');
    expect(formatUptime({ succeeded: 1, judged: 1 })).toBe('100\u00a0%');
    expect(formatUptime({ succeeded: 0, judged: 7 })).toBe('0.0\u00a0%');
    expect(formatUptime({ succeeded: 99, judged: 100 })).toBe('99.0\u00a0%');
  });

  it('is exact for counts whose float ratio is not (999 of 1,000 is 99.9 %, not 99.8 %)', () => {
    for (const judged of [1_000, 3_000, 7_000, 129_600]) expect(formatUptime({ succeeded: judged - judged / 1000, judged })).toBe('99.9\u00a0%');
  });
});
