import { describe, expect, it } from 'vitest';
import { de } from '../../site/i18n/de.ts';
import { en } from '../../site/i18n/en.ts';
import { formatAgo, formatCountdown, formatDay, formatDuration, formatLasting, formatLocalTime } from '../../site/lib/format-time.ts';

const now = Date.parse('2026-11-21T12:00:00.000Z');
const newYork = { locale: 'en-US', timeZone: 'America/New_York' };

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    expect(formatDuration(0, en)).toBe('0 s');
    expect(formatDuration(59, en)).toBe('59 s');
    expect(formatDuration(252, en)).toBe('4 min 12 s');
    expect(formatDuration(3600, en)).toBe('1 h 0 min');
    expect(formatDuration(2 * 3600 + 5 * 60 + 59, en)).toBe('2 h 5 min');
    expect(formatDuration(3 * 86400 + 4 * 3600 + 59 * 60, en)).toBe('3 d 4 h');
  });
});

describe('formatLasting', () => {
  it('leaves out a second unit that reads zero', () => {
    expect(formatLasting(3 * 3600, en)).toBe('3 h');
    expect(formatLasting(3 * 3600 + 10 * 60, en)).toBe('3 h 10 min');
    expect(formatLasting(86400 + 59, en)).toBe('1 d');
    expect(formatLasting(20 * 60, en)).toBe('20 min');
    expect(formatLasting(0, en)).toBe('0 s');
  });
});

describe('formatCountdown', () => {
  it('counts down to the next run, one second at a time', () => {
    const target = now + (4 * 60 + 12) * 1000;
    expect(formatCountdown(target, now, en)).toBe('in 4 min 12 s');
    expect(formatCountdown(target, now + 1000, en)).toBe('in 4 min 11 s');
    expect(formatCountdown(target, now + 252_000 - 1000, en)).toBe('in 1 s');
  });

  it('rounds a partial second up, so zero is reached exactly at the due time', () => {
    expect(formatCountdown(now + 1500, now, en)).toBe('in 2 s');
    expect(formatCountdown(now + 1, now, en)).toBe('in 1 s');
    expect(formatCountdown(now, now, en)).toBe('due now');
    expect(formatCountdown(now - 60_000, now, en)).toBe('due now');
  });
});

describe('formatAgo', () => {
  it('uses one unit, rounded down', () => {
    expect(formatAgo(now - 12_999, now, en)).toBe('12 s ago');
    expect(formatAgo(now - 60_000, now, en)).toBe('1 min ago');
    expect(formatAgo(now - 3 * 3_600_000 - 59 * 60_000, now, en)).toBe('3 h ago');
    expect(formatAgo(now - 5 * 86_400_000, now, en)).toBe('5 d ago');
  });

  it('says "just now" for less than a second and for a clock that runs behind the snapshot', () => {
    expect(formatAgo(now - 999, now, en)).toBe('just now');
    expect(formatAgo(now + 30_000, now, en)).toBe('just now');
  });

  it('stays correct as the clock runs', () => {
    const past = now - 59_000;
    expect(formatAgo(past, now, en)).toBe('59 s ago');
    expect(formatAgo(past, now + 1000, en)).toBe('1 min ago');
  });
});

describe('local times', () => {
  it('shows the reader zone with its abbreviation, winter and summer', () => {
    expect(formatLocalTime(Date.parse('2026-11-21T12:05:00.000Z'), newYork)).toBe('Nov 21, 07:05 EST');
    expect(formatLocalTime(Date.parse('2026-07-01T00:30:00.000Z'), newYork)).toBe('Jun 30, 20:30 EDT');
    expect(formatLocalTime(Date.parse('2026-11-21T12:05:00.000Z'), { locale: 'en-GB', timeZone: 'Europe/Berlin' })).toBe(
      '21 Nov, 13:05 CET',
    );
  });
});

describe('days', () => {
  it('writes a day as the locale does', () => {
    expect(formatDay('2026-11-21', en)).toBe('2026-11-21');
    expect(formatDay('2026-11-21', de)).toBe('21.11.2026');
  });

  it('writes a day that does not exist as it came, in every locale, and never throws', () => {
    for (const date of ['2026-13-45', '2026-02-32', '2026-02-30', '2026-01-00', 'yesterday']) {
      expect(formatDay(date, de)).toBe(date);
      expect(formatDay(date, en)).toBe(date);
    }
  });
});
