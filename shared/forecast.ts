// What the balance still pays for, in scheduled runs: an estimate from the average run of the last
// 24 hours, walked along the upcoming fires of every enabled charter. Bigints throughout.
import type { Forecast } from './contract.ts';

export const forecastHorizonMs = 30 * 24 * 60 * 60 * 1000;

export type UpcomingFires = { charterId: string; fires: readonly number[] };

export type ForecastInput = {
  balance: bigint;
  spentLast24h: bigint;
  /** runs of every charter started in the last 24 hours */
  runsStarted: number;
  /** each enabled charter's fires after now, ascending, complete up to `horizonEnd` */
  upcoming: readonly UpcomingFires[];
  horizonEnd: number;
};

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** spent / runs, rounded up (a run never looks cheaper than it was); null without runs. */
export function creditsPerRun(spentLast24h: bigint, runsStarted: number): bigint | null {
  if (runsStarted <= 0) return null;
  return spentLast24h <= 0n ? 0n : ceilDiv(spentLast24h, BigInt(runsStarted));
}

/** floor(balance / per run); 0 at a balance <= 0; null when runs cost nothing or nothing is known. */
export function fundedRunsOf(balance: bigint, perRun: bigint | null): bigint | null {
  if (balance <= 0n) return 0n;
  if (perRun === null || perRun === 0n) return null;
  return balance / perRun;
}

/**
 * Fire number fundedRuns + 1 in time order is the first the balance cannot pay for, and the fire
 * before it the last it can; both null when that lies beyond the horizon.
 */
export function forecastFunding(input: ForecastInput): Forecast {
  const perRun = creditsPerRun(input.spentLast24h, input.runsStarted);
  const funded = fundedRunsOf(input.balance, perRun);
  const forecast: Forecast = {
    creditsPerRun: perRun === null ? null : perRun.toString(),
    fundedRuns: funded === null ? null : funded.toString(),
    fundedUntil: null,
    firstUnfundedRun: null,
  };
  if (funded === null) return forecast;
  const total = input.upcoming.reduce((sum, charter) => sum + charter.fires.length, 0);
  if (funded >= BigInt(total)) return forecast; // the first unfunded run lies beyond the horizon
  const wanted = Number(funded); // < total, so a safe integer: the 0-based number of the first unfunded fire
  const at = nthFire(input.upcoming, wanted);
  if (at === null || at.time > input.horizonEnd) return forecast;
  const before = wanted > 0 ? nthFire(input.upcoming, wanted - 1) : null;
  return {
    ...forecast,
    fundedUntil: before === null ? null : new Date(before.time).toISOString(),
    firstUnfundedRun: { charterId: at.charterId, at: new Date(at.time).toISOString() },
  };
}

/** How many fires of a sorted list are at or before `time`. */
function countUpTo(fires: readonly number[], time: number): number {
  let low = 0;
  let high = fires.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (fires[middle]! <= time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Fire number n (0-based) of all charters in time order, ties by charter id: the earliest time T
 * with more than n fires at or before it, found by bisection (no walk through every fire).
 */
export function nthFire(upcoming: readonly UpcomingFires[], n: number): { charterId: string; time: number } | null {
  const countAt = (time: number) => upcoming.reduce((sum, charter) => sum + countUpTo(charter.fires, time), 0);
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const { fires } of upcoming) {
    if (fires.length === 0) continue;
    low = Math.min(low, fires[0]!);
    high = Math.max(high, fires.at(-1)!);
  }
  if (!(low <= high) || countAt(high) <= n) return null;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (countAt(middle) > n) high = middle;
    else low = middle + 1;
  }
  const earlier = countAt(low - 1);
  const atTime = upcoming.filter((charter) => charter.fires[countUpTo(charter.fires, low) - 1] === low).map((charter) => charter.charterId).sort();
  return { charterId: atTime[n - earlier]!, time: low };
}
