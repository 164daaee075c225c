// Credit rules of the contract. Amounts are bigints end to end; a JS number appears only for
// runwayHours, which is a bounded ratio rounded to one decimal.
import type { CreditHealth, Credits } from './contract.ts';

export const creditsPerUsd = 10_000_000n;

/** balance / 10,000,000 with exactly two decimals, truncated toward zero ("-0.00" never appears). */
export function balanceUsd(balance: bigint): string {
  const cents = (balance * 100n) / creditsPerUsd; // bigint division truncates toward zero
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const text = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** ceil(spentLast24h / 24); net refunds (a negative sum) burn nothing. */
export function burnPerHour(spentLast24h: bigint): bigint {
  if (spentLast24h <= 0n) return 0n;
  return (spentLast24h + 23n) / 24n;
}

/** Hours of credit left at the current burn, rounded down to one decimal; 0 when the balance is
 *  gone, null when nothing is being spent. */
export function runwayHours(balance: bigint, burn: bigint): number | null {
  if (balance <= 0n) return 0;
  if (burn <= 0n) return null;
  return Number((balance * 10n) / burn) / 10;
}

/** The one rule of the credits' health: none left or under 6 hours is red, up to 24 hours yellow. */
export function creditHealth(balance: bigint, runway: number | null): CreditHealth {
  if (balance <= 0n || (runway !== null && runway < 6)) return 'red';
  if (runway !== null && runway <= 24) return 'yellow';
  return 'green';
}

/** What each health weighs in the overall status (shared/reasons.ts, shared/snapshot-trust.ts). */
export const healthSeverity: Record<CreditHealth, 'failing' | 'degraded' | null> = { red: 'failing', yellow: 'degraded', green: null };

export function summarizeCredits(balance: bigint, spentLast24h: bigint): Credits {
  const burn = burnPerHour(spentLast24h);
  const runway = runwayHours(balance, burn);
  return {
    balance: balance.toString(),
    balanceUsd: balanceUsd(balance),
    spentLast24h: spentLast24h.toString(),
    burnPerHour: burn.toString(),
    runwayHours: runway,
    health: creditHealth(balance, runway),
  };
}
