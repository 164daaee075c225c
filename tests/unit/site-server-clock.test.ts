// The reader's clock corrected by the server's Date (and Age): the range each response allows, how
// successive ranges narrow, and that a clock set in between is followed at once.
import { describe, expect, it } from 'vitest';
import { combineOffsets, offsetFromResponse, offsetOf } from '../../site/lib/server-clock.ts';

const serverNow = Date.parse('2026-11-21T12:00:30.000Z');
const http = (ms: number) => new Date(ms).toUTCString();
const minute = 60_000;

describe('offsetFromResponse', () => {
  it('brackets the offset between the Date second and the time the request took', () => {
    // The reader is 30 minutes slow; the request took 200 ms; the server answered at 12:00:30.400.
    const sentAt = serverNow + 200 - 30 * minute;
    const range = offsetFromResponse({ date: http(serverNow + 400), age: null, sentAt, receivedAt: sentAt + 200 })!;
    expect(range).toEqual({ low: 30 * minute - 400, high: 30 * minute + 800 });
    expect(range.low).toBeLessThanOrEqual(30 * minute);
    expect(range.high).toBeGreaterThanOrEqual(30 * minute);
  });

  it('adds the seconds a cache kept the answer (Age), and widens by its rounding', () => {
    const range = offsetFromResponse({ date: http(serverNow - 40_000), age: '40', sentAt: serverNow, receivedAt: serverNow + 100 })!;
    expect(range).toEqual({ low: -100, high: 2_000 });
  });

  it("says nothing without a usable Date, or when the reader's clock ran backwards meanwhile", () => {
    expect(offsetFromResponse({ date: null, age: null, sentAt: 0, receivedAt: 10 })).toBeNull();
    expect(offsetFromResponse({ date: 'yesterday', age: null, sentAt: 0, receivedAt: 10 })).toBeNull();
    expect(offsetFromResponse({ date: http(serverNow), age: null, sentAt: serverNow, receivedAt: serverNow - 1 })).toBeNull();
  });

  it('ignores an Age that is not a whole number of seconds', () => {
    expect(offsetFromResponse({ date: http(serverNow), age: '-5', sentAt: serverNow, receivedAt: serverNow })).toEqual({ low: 0, high: 1_000 });
    expect(offsetFromResponse({ date: http(serverNow), age: '1.5', sentAt: serverNow, receivedAt: serverNow })).toEqual({ low: 0, high: 1_000 });
  });
});

describe('combineOffsets and offsetOf', () => {
  it('narrows overlapping ranges to what both allow', () => {
    const first = { low: 29 * minute, high: 29 * minute + 1_000 };
    const second = { low: 29 * minute + 600, high: 29 * minute + 1_500 };
    expect(combineOffsets(first, second)).toEqual({ low: 29 * minute + 600, high: 29 * minute + 1_000 });
    expect(offsetOf(combineOffsets(first, second))).toBe(29 * minute + 800);
  });

  it('follows the newest range when the ranges do not overlap (a clock was set)', () => {
    const before = { low: 30 * minute, high: 30 * minute + 1_000 };
    const after = { low: -200, high: 800 };
    expect(combineOffsets(before, after)).toEqual(after);
    expect(combineOffsets(after, before)).toEqual(before);
  });

  it('keeps what it knew when a response says nothing, and corrects nothing without a server clock', () => {
    const known = { low: 10, high: 20 };
    expect(combineOffsets(known, null)).toBe(known);
    expect(combineOffsets(null, known)).toBe(known);
    expect(offsetOf(null)).toBe(0);
  });

  it('lands within a second of the truth for reader clocks from 30 minutes slow to 30 minutes fast', () => {
    for (const skew of [-30 * minute, -3 * minute, 0, 3 * minute, 30 * minute]) {
      let range = null;
      for (const [index, made] of [serverNow, serverNow + 30_250, serverNow + 60_700].entries()) {
        const sentAt = made - 150 + skew;
        range = combineOffsets(range, offsetFromResponse({ date: http(made), age: null, sentAt, receivedAt: sentAt + 300 + index * 20 }));
      }
      expect(Math.abs(offsetOf(range) + skew)).toBeLessThan(1_000);
    }
  });
});
