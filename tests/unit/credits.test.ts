import { describe, expect, it } from 'vitest';
import { balanceUsd, burnPerHour, creditHealth, runwayHours, summarizeCredits } from '../../shared/credits.ts';

describe('balanceUsd', () => {
  it('divides by 10,000,000 with two decimals, truncated toward zero', () => {
    expect(balanceUsd(0n)).toBe('0.00');
    expect(balanceUsd(99_999n)).toBe('0.00'); // $0.0099999 truncates, never rounds up
    expect(balanceUsd(100_000n)).toBe('0.01');
    expect(balanceUsd(123_456_789n)).toBe('12.34');
    expect(balanceUsd(-99_999n)).toBe('0.00'); // no "-0.00"
    expect(balanceUsd(-123_456_789n)).toBe('-12.34');
  });

  it('keeps every digit of a balance beyond 2^53', () => {
    const huge = 9_007_199_254_740_993_123_456_789n; // far past 2^53; a JS number would round it
    expect(huge > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(balanceUsd(huge)).toBe('900719925474099312.34');
    expect(summarizeCredits(huge, 0n).balance).toBe('9007199254740993123456789');
  });
});

describe('burnPerHour', () => {
  it('is ceil(spent / 24)', () => {
    expect(burnPerHour(0n)).toBe(0n);
    expect(burnPerHour(1n)).toBe(1n);
    expect(burnPerHour(24n)).toBe(1n);
    expect(burnPerHour(25n)).toBe(2n);
    expect(burnPerHour(2n ** 60n + 1n)).toBe(2n ** 60n / 24n + 1n);
  });
  it('burns nothing when refunds outweigh spend', () => {
    expect(burnPerHour(-48n)).toBe(0n);
  });
});

describe('runwayHours', () => {
  it('is 0 when the balance is zero or negative, whatever the burn', () => {
    expect(runwayHours(0n, 10n)).toBe(0);
    expect(runwayHours(-5n, 10n)).toBe(0);
    expect(runwayHours(-5n, 0n)).toBe(0);
  });
  it('is null when nothing is spent', () => {
    expect(runwayHours(1_000n, 0n)).toBeNull();
  });
  it('rounds down to one decimal', () => {
    expect(runwayHours(100n, 3n)).toBe(33.3);
    expect(runwayHours(199n, 10n)).toBe(19.9);
    expect(runwayHours(60n, 10n)).toBe(6);
  });
});

describe('creditHealth', () => {
  it('is red at zero or negative balance, even with no spend', () => {
    expect(creditHealth(0n, 0)).toBe('red');
    expect(creditHealth(-1n, 0)).toBe('red');
  });
  it('puts runway exactly 6 h in yellow and just under in red', () => {
    expect(creditHealth(60n, runwayHours(60n, 10n))).toBe('yellow');
    expect(creditHealth(59n, runwayHours(59n, 10n))).toBe('red'); // 5.9 h
  });
  it('puts runway exactly 24 h in yellow and just over in green', () => {
    expect(creditHealth(240n, runwayHours(240n, 10n))).toBe('yellow');
    expect(creditHealth(241n, runwayHours(241n, 10n))).toBe('green'); // 24.1 h
  });
  it('is green with a positive balance and no spend at all', () => {
    const summary = summarizeCredits(1_000n, 0n);
    expect(summary).toEqual({
      balance: '1000',
      balanceUsd: '0.00',
      spentLast24h: '0',
      burnPerHour: '0',
      runwayHours: null,
      health: 'green',
    });
  });
});
