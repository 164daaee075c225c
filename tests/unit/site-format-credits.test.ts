import { describe, expect, it } from 'vitest';
import { en } from '../../site/i18n/en.ts';
import { formatCredits, formatRunway, formatUsd } from '../../site/lib/format-credits.ts';

describe('formatCredits', () => {
  it('groups digits without passing through a JS number', () => {
    expect(formatCredits('0', en)).toBe('0 credits');
    expect(formatCredits('123456789012345678901', en)).toBe('123,456,789,012,345,678,901 credits');
    expect(formatCredits('-42', en)).toBe('-42 credits');
  });
});

describe('formatUsd', () => {
  it('formats the contract decimal exactly', () => {
    expect(formatUsd('18750.00', 'en-US')).toBe('$18,750.00');
    expect(formatUsd('-0.05', 'en-US')).toBe('-$0.05');
    expect(formatUsd('90071992547409.99', 'en-US')).toBe('$90,071,992,547,409.99');
  });
});

describe('formatRunway', () => {
  it('says how long the credits last, rounded down', () => {
    expect(formatRunway(12.9, en)).toBe('about 12 hours left');
    expect(formatRunway(1.5, en)).toBe('about 1 hour left');
    expect(formatRunway(47.9, en)).toBe('about 47 hours left');
    expect(formatRunway(13 * 24 + 23, en)).toBe('about 13 days left');
    expect(formatRunway(3410.6, en)).toBe('about 4 months left');
  });

  it('reads large runways in weeks, months and then years, never as a long figure', () => {
    expect(formatRunway(14 * 24, en)).toBe('about 2 weeks left');
    expect(formatRunway(62 * 24, en)).toBe('about 8 weeks left');
    expect(formatRunway(63 * 24, en)).toBe('about 2 months left');
    expect(formatRunway(364 * 24, en)).toBe('about 11 months left');
    expect(formatRunway(365 * 24, en)).toBe('more than a year left');
    // the "about 10416666 days left"
    expect(formatRunway(249_999_999.9, en)).toBe('more than a year left');
  });

  it('names the edge cases in words', () => {
    expect(formatRunway(0, en)).toBe('no credits left');
    expect(formatRunway(0.4, en)).toBe('less than an hour left');
    expect(formatRunway(null, en)).toBe('no spend in the last 24 h');
  });
});
