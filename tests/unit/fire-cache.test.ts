// The schedules' fires kept between ticks (worker/fire-cache.ts): computed once, then only extended
// at the end and trimmed at the start as the window moves. Whatever the path, a span must equal a
// fresh computation of the same span (shared/schedule.ts firesBetween).
import { describe, expect, it } from 'vitest';
import { firesBetween } from '../../shared/schedule.ts';
import { createFireCache } from '../../worker/fire-cache.ts';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const horizon = 30 * day;
// Europe/Berlin leaves summer time on 2026-10-25: a 25-hour local day inside the spans below.
const t0 = Date.parse('2026-10-20T11:34:50.000Z');

const fresh = (cron: string, timezone: string, from: number, to: number, limit?: number) => {
  const fires = firesBetween(cron, timezone, from, to, limit);
  return { fires, coveredTo: limit !== undefined && fires.length >= limit ? fires.at(-1)! + 1 : to };
};

describe('fire cache', () => {
  // A span as a tick asks for it: from the window's start to the forecast's end (shorter for the
  // per-minute cron, so that the fresh computations it is compared with stay fast).
  it.each([
    ['every minute', '* * * * *', 'UTC', 6 * hour, hour],
    ['hourly at :15, Berlin (across the end of summer time)', '15 * * * *', 'Europe/Berlin', day, 3 * day],
    ['at 02:30 local, New York', '30 2 * * *', 'America/New_York', day, horizon],
  ])('%s: a window moved a minute at a time, then an hour, then a day, equals a fresh computation each time', (_name, cron, timezone, back, ahead) => {
    const cache = createFireCache();
    let spans = 0;
    for (let at = t0, step = minute; at < t0 + 8 * day; at += step, spans++) {
      const span = cache.span(cron, timezone, at - back, at + ahead);
      expect([...span.fires], new Date(at).toISOString()).toEqual(fresh(cron, timezone, at - back, at + ahead).fires);
      expect(span.coveredTo).toBe(at + ahead);
      if (at >= t0 + 30 * minute) step = at >= t0 + day ? day : hour;
    }
    expect(spans).toBeGreaterThan(50);
    expect(cache.size).toBe(1);
  });

  it('drops the fires before the new start and ends a span at its own end, however far the cache reaches', () => {
    const cache = createFireCache();
    cache.span('0 * * * *', 'UTC', t0 - day, t0 + horizon);
    const shorter = cache.span('0 * * * *', 'UTC', t0, t0 + 3 * hour);
    expect(shorter).toEqual({ fires: fresh('0 * * * *', 'UTC', t0, t0 + 3 * hour).fires, coveredTo: t0 + 3 * hour });
    expect(shorter.fires).toHaveLength(3);
    // Trimmed: the fires before t0 are gone for good, so a span that starts earlier is computed again.
    const earlier = cache.span('0 * * * *', 'UTC', t0 - 2 * day, t0 + horizon);
    expect([...earlier.fires]).toEqual(fresh('0 * * * *', 'UTC', t0 - 2 * day, t0 + horizon).fires);
  });

  it('starts over when the window jumps past what it holds (a long pause)', () => {
    const cache = createFireCache();
    cache.span('*/5 * * * *', 'UTC', t0 - day, t0);
    const later = cache.span('*/5 * * * *', 'UTC', t0 + 2 * day, t0 + 3 * day);
    expect(later).toEqual(fresh('*/5 * * * *', 'UTC', t0 + 2 * day, t0 + 3 * day));
  });

  it('holds at most its limit of fires, says where its list ends, and extends up to the limit as the window moves', () => {
    const limit = 500;
    const cache = createFireCache(limit);
    for (let at = t0; at < t0 + 3 * hour; at += 7 * minute) {
      const span = cache.span('* * * * *', 'UTC', at - day, at + horizon);
      const expected = fresh('* * * * *', 'UTC', at - day, at + horizon, limit);
      expect({ fires: [...span.fires], coveredTo: span.coveredTo }).toEqual(expected);
      expect(span.fires).toHaveLength(limit);
      expect(span.coveredTo).toBeLessThan(at - day + limit * minute + 1);
    }
  });

  it('keeps one entry per cron and time zone, and sweeps the ones no tick asked for since the last sweep', () => {
    const cache = createFireCache();
    const ask = (cron: string, timezone: string) => cache.span(cron, timezone, t0 - day, t0 + day);
    ask('* * * * *', 'UTC');
    ask('* * * * *', 'UTC'); // a second charter on the same schedule
    ask('0 * * * *', 'UTC');
    ask('0 * * * *', 'Asia/Tokyo');
    expect(cache.size).toBe(3);
    cache.sweep(); // all three were asked for since the last sweep
    expect(cache.size).toBe(3);
    ask('* * * * *', 'UTC'); // the next tick: the hourly charters were deleted or rescheduled
    cache.sweep();
    expect(cache.size).toBe(1);
    cache.sweep(); // a tick that asked for nothing
    expect(cache.size).toBe(0);
  });
});
