// The reader's clock corrected by the server's Date (and Age): the range each response allows, how
// successive ranges narrow, that a clock set in between is followed, and that a cache's old copy
// without Age does not set the page's clock back.
import { describe, expect, it } from 'vitest';
import { combineOffsets, offsetFromResponse, offsetOf, parseHttpDate, type OffsetState } from '../../site/lib/server-clock.ts';

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

  it('reads only an IMF-fixdate, in GMT; any other Date is as none', () => {
    const unusable = [
      'Sat, 21 Nov 2026 12:00:30', // no zone: Date.parse reads it as the reader's local time
      'Sat, 21 Nov 2026 12:00:30 +0000',
      'Sat, 21 Nov 2026 13:00:30 CET',
      '0',
      '2026-11-21',
      '2026-11-21T12:00:30.000Z',
      'garbage 2026',
      'Saturday, 21-Nov-26 12:00:30 GMT', // RFC 850, obsolete
      'Sat Nov 21 12:00:30 2026', // asctime, obsolete (and zoneless)
      'Sun, 21 Nov 2026 12:00:30 GMT', // the wrong weekday
      'Tue, 31 Nov 2026 12:00:30 GMT', // no such day
      'Sat, 21 Nov 2026 24:00:30 GMT',
      'sat, 21 nov 2026 12:00:30 gmt',
      ' Sat, 21 Nov 2026 12:00:30 GMT',
    ];
    for (const date of unusable) {
      expect(offsetFromResponse({ date, age: null, sentAt: serverNow, receivedAt: serverNow + 100 }), date).toBeNull();
      expect(parseHttpDate(date), date).toBeNull();
    }
    expect(parseHttpDate('Sat, 21 Nov 2026 12:00:30 GMT')).toBe(serverNow);
    expect(parseHttpDate('Tue, 29 Feb 2028 00:00:00 GMT')).toBe(Date.parse('2028-02-29T00:00:00.000Z'));
  });

  it('corrects a reader clock however far off it is, once the Date is well formed (a device years off, after a dead battery)', () => {
    const off = (ms: number) => offsetFromResponse({ date: http(serverNow + ms), age: null, sentAt: serverNow, receivedAt: serverNow });
    for (const ms of [26 * 60 * minute, -26 * 60 * minute, 5 * 365 * 24 * 60 * minute]) expect(off(ms)).toEqual({ low: ms, high: ms + 1_000 });
  });

  it('ignores an Age that is not a whole number of seconds', () => {
    expect(offsetFromResponse({ date: http(serverNow), age: '-5', sentAt: serverNow, receivedAt: serverNow })).toEqual({ low: 0, high: 1_000 });
    expect(offsetFromResponse({ date: http(serverNow), age: '1.5', sentAt: serverNow, receivedAt: serverNow })).toEqual({ low: 0, high: 1_000 });
  });
});

describe('combineOffsets and offsetOf', () => {
  const none = { known: null, pending: null };
  const at = (known: { low: number; high: number }): OffsetState => ({ known, pending: null });

  it('narrows overlapping ranges to what both allow', () => {
    const first = { low: 29 * minute, high: 29 * minute + 1_000 };
    const second = { low: 29 * minute + 600, high: 29 * minute + 1_500 };
    expect(combineOffsets(at(first), second)).toEqual(at({ low: 29 * minute + 600, high: 29 * minute + 1_000 }));
    expect(offsetOf(combineOffsets(at(first), second).known)).toBe(29 * minute + 800);
  });

  it("follows a range above at once (data can only read older), and one below when the reader's clock was set forward by as much", () => {
    const before = { low: 30 * minute, high: 30 * minute + 1_000 };
    const after = { low: -200, high: 800 };
    expect(combineOffsets(at(after), before)).toEqual(at(before));
    expect(combineOffsets(at(before), after, 30 * minute)).toEqual(at(after));
  });

  it('takes a range below only once a second answer agrees with it (a server clock set back), never from answers that each lie lower still (a cache without Age)', () => {
    const right = { low: 0, high: 1_000 };
    // a server clock set back 10 minutes: two answers agree
    const setBack = { low: -10 * minute, high: -10 * minute + 1_000 };
    const waiting = combineOffsets(at(right), setBack);
    expect(waiting).toEqual({ known: right, pending: setBack });
    expect(combineOffsets(waiting, { low: -10 * minute + 300, high: -10 * minute + 1_200 })).toEqual(at({ low: -10 * minute + 300, high: -10 * minute + 1_000 }));
    // a cache's old copy without Age, its Date fixed, polled every 30 s: each answer 30 s lower
    let state = at(right);
    for (let poll = 1; poll <= 40; poll += 1) state = combineOffsets(state, { low: -20 * minute - poll * 30_000, high: -20 * minute - poll * 30_000 + 1_000 });
    expect(state.known).toEqual(right);
  });

  it('keeps what it knew when a response says nothing, and corrects nothing without a server clock', () => {
    const known = at({ low: 10, high: 20 });
    expect(combineOffsets(known, null)).toBe(known);
    expect(combineOffsets(none, known.known)).toEqual(known);
    expect(offsetOf(null)).toBe(0);
  });

  it('lands within a second of the truth for reader clocks from 30 minutes slow to 30 minutes fast', () => {
    for (const skew of [-30 * minute, -3 * minute, 0, 3 * minute, 30 * minute]) {
      let state: OffsetState = { known: null, pending: null };
      for (const [index, made] of [serverNow, serverNow + 30_250, serverNow + 60_700].entries()) {
        const sentAt = made - 150 + skew;
        state = combineOffsets(state, offsetFromResponse({ date: http(made), age: null, sentAt, receivedAt: sentAt + 300 + index * 20 }));
      }
      expect(Math.abs(offsetOf(state.known) + skew)).toBeLessThan(1_000);
    }
  });
});
