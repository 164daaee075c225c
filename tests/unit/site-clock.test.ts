// The page's one clock: the reader's, corrected by the server's, ticking once a second only while
// something listens, and telling its listeners at once when the correction changes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clockTime, correctedNow, noteServerClock, resetClock, subscribeClock } from '../../site/lib/clock.ts';

const readerNow = Date.parse('2026-11-21T11:30:00.000Z');
const minute = 60_000;

beforeEach(() => {
  vi.useFakeTimers({ now: readerNow });
  resetClock();
});
afterEach(() => vi.useRealTimers());

describe('the page clock', () => {
  it("follows the server's clock once an answer says what it is", () => {
    expect(correctedNow()).toBe(readerNow);
    // The server says 12:00:00 (whole seconds); the request took nothing.
    noteServerClock({ low: 30 * minute, high: 30 * minute + 1_000 });
    expect(correctedNow()).toBe(readerNow + 30 * minute + 500);
  });

  it('ticks its listeners once a second while they listen, and stops when the last one leaves', () => {
    const heard: number[] = [];
    const stop = subscribeClock(() => heard.push(clockTime()));
    vi.advanceTimersByTime(3_000);
    expect(heard).toEqual([readerNow + 1_000, readerNow + 2_000, readerNow + 3_000]);
    stop();
    vi.advanceTimersByTime(5_000);
    expect(heard).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("follows a reader's clock set forward at once, but not a cache's old copy without Age", () => {
    noteServerClock({ low: 0, high: 1_000 });
    expect(correctedNow()).toBe(readerNow + 500);
    // the copy a cache keeps, its Date from 20 minutes ago, served again at each poll: the page's clock stays
    for (let poll = 1; poll <= 5; poll += 1) {
      vi.advanceTimersByTime(30_000);
      noteServerClock({ low: -20 * minute - poll * 30_000, high: -20 * minute - poll * 30_000 + 1_000 });
    }
    expect(correctedNow()).toBe(readerNow + 150_000 + 500);
    // the reader's clock set 30 minutes forward (its monotonic clock runs on as before): followed at once
    vi.setSystemTime(Date.now() + 30 * minute);
    noteServerClock({ low: -30 * minute, high: -30 * minute + 1_000 });
    expect(correctedNow()).toBe(readerNow + 150_000 + 500);
  });

  it("tells its listeners at once when the server's clock moves the correction, and not when it does not", () => {
    const heard: number[] = [];
    const stop = subscribeClock(() => heard.push(clockTime()));
    noteServerClock({ low: -3 * minute, high: -3 * minute + 1_000 });
    expect(heard).toEqual([readerNow - 3 * minute + 500]);
    noteServerClock(null);
    noteServerClock({ low: -3 * minute + 100, high: -3 * minute + 900 });
    expect(heard).toHaveLength(1);
    stop();
  });
});
