// What the balance still pays for, in scheduled runs, walked along the upcoming fires of every
// enabled charter in time order: each charter's run costs its own median run of the last 24 hours
// where it has one (shared/usage.ts ownCreditsPerRun), else the average run of all charters. So the
// forecast names the charter the balance stops paying for first. Bigints throughout.
import { limits } from './constants.ts';
import type { Forecast } from './contract.ts';
import type { ForecastBasis, ForecastCharter } from './usage-contract.ts';

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
  /** each charter's own credits per run (the median of its runs of the last 24 hours), where it has one */
  ownCreditsPerRun?: ReadonlyMap<string, bigint>;
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

type Priced = UpcomingFires & { cost: bigint; basis: ForecastBasis };

/** Each charter's cost per run and its basis: its own where known (never below 0), else the average, else none (free). */
function priceCharters(input: ForecastInput, average: bigint | null): Priced[] {
  return input.upcoming.map((charter) => {
    const own = input.ownCreditsPerRun?.get(charter.charterId);
    if (own !== undefined) return { ...charter, cost: own > 0n ? own : 0n, basis: 'own' as const };
    if (average !== null) return { ...charter, cost: average, basis: 'average' as const };
    return { ...charter, cost: 0n, basis: 'none' as const };
  });
}

export type CharterForecast = { forecast: Forecast; charters: ForecastCharter[] };

/**
 * The first fire in time order (ties by charter id) whose cost, added to every fire's before it,
 * exceeds the balance is the first the balance cannot pay for; `fundedUntil` is the fire before it.
 * Both are null when that lies beyond the horizon; fundedRuns then extrapolates the horizon's mix of
 * runs. With one cost for every charter (no own costs) this is fire number floor(balance / cost) + 1.
 */
export function forecastByCharter(input: ForecastInput): CharterForecast {
  const average = creditsPerRun(input.spentLast24h, input.runsStarted);
  const priced = priceCharters(input, average);
  const charters = [...priced]
    .sort((a, b) => (a.charterId < b.charterId ? -1 : a.charterId > b.charterId ? 1 : 0))
    .slice(0, limits.charters)
    .map(({ charterId, cost, basis }) => ({ charterId, creditsPerRun: basis === 'none' ? null : cost.toString(), basis }));
  const forecast: Forecast = { creditsPerRun: average === null ? null : average.toString(), fundedRuns: null, fundedUntil: null, firstUnfundedRun: null };
  const within = priced.map((charter) => ({ ...charter, fires: charter.fires.filter((fire) => fire <= input.horizonEnd) }));
  const found = input.balance <= 0n ? firstFire(within) : firstUnfunded(within, input.balance);
  if (found === null) return { forecast: { ...forecast, fundedRuns: fundedBeyond(within, input.balance, average) }, charters };
  return {
    forecast: {
      ...forecast,
      fundedRuns: found.funded.toString(),
      fundedUntil: found.before === null ? null : new Date(found.before).toISOString(),
      firstUnfundedRun: { charterId: found.charterId, at: new Date(found.at).toISOString() },
    },
    charters,
  };
}

/** The forecast alone (the contract's `forecast` object). */
export function forecastFunding(input: ForecastInput): Forecast {
  return forecastByCharter(input).forecast;
}

type Unfunded = { charterId: string; at: number; before: number | null; funded: bigint };

/** At a balance of zero or less the very next fire is unfunded, whatever it costs. */
function firstFire(charters: readonly Priced[]): Unfunded | null {
  const first = nthFire(charters, 0);
  return first === null ? null : { charterId: first.charterId, at: first.time, before: null, funded: 0n };
}

const costAt = (charters: readonly Priced[], time: number) => charters.reduce((sum, charter) => sum + charter.cost * BigInt(countUpTo(charter.fires, time)), 0n);

/** The earliest fire time at which the fires' cost so far exceeds the balance, by bisection (no walk through every fire). */
function firstUnfunded(charters: readonly Priced[], balance: bigint): Unfunded | null {
  const withFires = charters.filter((charter) => charter.fires.length > 0);
  if (withFires.length === 0) return null;
  let low = Math.min(...withFires.map((charter) => charter.fires[0]!));
  let high = Math.max(...withFires.map((charter) => charter.fires.at(-1)!));
  if (costAt(withFires, high) <= balance) return null;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (costAt(withFires, middle) > balance) high = middle;
    else low = middle + 1;
  }
  // At `low` several charters may fire: in charter id order, the one whose cost tips it over.
  let spent = costAt(withFires, low - 1);
  const atTime = withFires
    .filter((charter) => charter.fires[countUpTo(charter.fires, low) - 1] === low)
    .sort((a, b) => (a.charterId < b.charterId ? -1 : a.charterId > b.charterId ? 1 : 0));
  const earlier = withFires.reduce((sum, charter) => sum + countUpTo(charter.fires, low - 1), 0);
  for (const [index, charter] of atTime.entries()) {
    spent += charter.cost;
    if (spent <= balance) continue;
    const before = index > 0 ? low : latestBefore(withFires, low);
    return { charterId: charter.charterId, at: low, before, funded: BigInt(earlier + index) };
  }
  return null; // unreachable: the cost at `low` exceeds the balance
}

function latestBefore(charters: readonly Priced[], time: number): number | null {
  let latest: number | null = null;
  for (const { fires } of charters) {
    const count = countUpTo(fires, time - 1);
    if (count > 0 && (latest === null || fires[count - 1]! > latest)) latest = fires[count - 1]!;
  }
  return latest;
}

/**
 * Runs funded when the horizon's fires are all paid for: balance / the horizon's cost per fire
 * (its mix of charters), or balance / the average run without fires to price; null when runs cost
 * nothing or nothing is known.
 */
function fundedBeyond(charters: readonly Priced[], balance: bigint, average: bigint | null): string | null {
  if (balance <= 0n) return '0';
  const fires = BigInt(charters.reduce((sum, charter) => sum + charter.fires.length, 0));
  const cost = charters.reduce((sum, charter) => sum + charter.cost * BigInt(charter.fires.length), 0n);
  const funded = fires > 0n && cost > 0n ? (balance * fires) / cost : fundedRunsOf(balance, average);
  return funded === null ? null : funded.toString();
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
