import { describe, expect, it } from 'vitest';
import { en } from '../../site/i18n/en.ts';
import { formatAge, formatStaleMessage } from '../../site/lib/staleness.ts';

const generatedAt = '2026-11-21T12:00:00.000Z';
const staleAfter = '2026-11-21T12:03:00.000Z';
const at = (iso: string) => Date.parse(iso);

describe('formatStaleMessage', () => {
  it('says how old the data is, in minutes, and why that matters', () => {
    expect(formatStaleMessage(generatedAt, at('2026-11-21T12:10:59.000Z'), en)).toBe(
      'This data is 10 minutes old: the status worker may be down.',
    );
  });

  it('switches to hours and days for long outages, singular where it should be', () => {
    expect(formatAge(generatedAt, at('2026-11-21T12:01:30.000Z'), en)).toBe('1 minute');
    expect(formatAge(generatedAt, at('2026-11-21T13:59:00.000Z'), en)).toBe('119 minutes');
    expect(formatAge(generatedAt, at('2026-11-21T14:00:00.000Z'), en)).toBe('2 hours');
    expect(formatAge(generatedAt, at('2026-11-23T12:00:00.000Z'), en)).toBe('2 days');
  });

  it('never reports a negative age', () => {
    expect(formatAge(generatedAt, at('2026-11-21T11:00:00.000Z'), en)).toBe('0 minutes');
  });
});
