// "Updated N ago" by the server's clock: a snapshot from the future is said to be one.
import { describe, expect, it } from 'vitest';
import { en } from '../../site/i18n/en.ts';
import { describeFreshness } from '../../site/lib/freshness.ts';

const made = Date.parse('2026-11-21T12:00:30.000Z');

describe('describeFreshness', () => {
  it('says how long ago the snapshot was made', () => {
    expect(describeFreshness(made, made + 58_000, en)).toBe('Updated 58 s ago');
    expect(describeFreshness(made, made, en)).toBe('Updated just now');
  });

  it('shows a snapshot made after now as what it is, beyond the Date header\'s doubt', () => {
    expect(describeFreshness(made, made - 1_500, en)).toBe('Updated just now');
    expect(describeFreshness(made, made - 17 * 60_000, en)).toBe("Made 17 min after now by the server's clock: the status worker's clock is ahead.");
  });
});
