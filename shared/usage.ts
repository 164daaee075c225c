// What the treasury paid for: the window's receipts (worker/postgres/usage-queries.ts) summed per
// charter (through the window's runs: a receipt's run_id is the ledger's run_id), per model and per
// agent, and per closed day. Bigints throughout; every model and agent name passes the one cleaning
// step (shared/redact.ts), and names that clean to the same text are one entry.
import { limits, usageLimits, type RunStatus } from './contract.ts';
import { utcDate } from './history.ts';
import type { DayUsageRow, RunFacts, UsageDetails, UsageFigures, UsageRow } from './ports.ts';
import { publicText } from './redact.ts';
import type { AvailableUsage, CharterUsage, DayFigures, DayUsage, Usage, UsageFiguresJson } from './usage-contract.ts';

/** A run as usage needs it: its raw run_id (as the usage rows carry it), its charter, its status. */
export type UsageRun = { runId: string; charterId: string; status: RunStatus };

/** Runs as usage sees them: the raw run_id (receipts carry it raw) and the charter's cleaned id; a run of no charter given is left out. */
export function usageRunsOf(runs: readonly RunFacts[], charters: ReadonlyArray<{ scheduleId?: string; id: string }>): UsageRun[] {
  const idOf = new Map(charters.flatMap((charter) => (charter.scheduleId === undefined ? [] : [[charter.scheduleId, charter.id] as const])));
  return runs.flatMap((run) => (idOf.has(run.scheduleId) ? [{ runId: run.runId, charterId: idOf.get(run.scheduleId)!, status: run.status }] : []));
}

/** The window's receipt groups (GovernanceFacts.usage, or worker/usage-memory.ts's whole window). */
export type WindowUsage = { details: UsageDetails; rows: readonly UsageRow[] };

const nanosPerUsd = 1_000_000_000n;

/** Nano-dollars as US dollars: exact, at least 2 and at most 9 decimal places ("0.50", "0.000123456"). */
export function formatUsd(nanos: bigint): string {
  const sign = nanos < 0n ? '-' : '';
  const magnitude = nanos < 0n ? -nanos : nanos;
  const fraction = (magnitude % nanosPerUsd).toString().padStart(9, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${sign}${magnitude / nanosPerUsd}.${fraction}`;
}

const emptyFigures = (): UsageFigures => ({ credits: 0n, requests: 0, tokensIn: 0n, tokensOut: 0n, usdNanos: null, usdRequests: 0 });

/** Adds a group's figures into a running sum (in place). */
export function addTo(sum: UsageFigures, row: UsageFigures): void {
  sum.credits += row.credits;
  sum.requests += row.requests;
  sum.tokensIn += row.tokensIn;
  sum.tokensOut += row.tokensOut;
  if (row.usdNanos !== null) sum.usdNanos = (sum.usdNanos ?? 0n) + row.usdNanos;
  sum.usdRequests += row.usdRequests;
}

function sumOf(rows: readonly UsageFigures[]): UsageFigures {
  const sum = emptyFigures();
  for (const row of rows) addTo(sum, row);
  return sum;
}

function toJson(figures: UsageFigures): UsageFiguresJson {
  return {
    credits: figures.credits.toString(),
    requests: figures.requests,
    tokensIn: figures.tokensIn.toString(),
    tokensOut: figures.tokensOut.toString(),
    usd: figures.usdNanos === null ? null : formatUsd(figures.usdNanos),
    usdRequests: figures.usdRequests,
  };
}

/** Most credits first, then most requests, then by key (null last): the same order on every tick. */
function byCredits<T extends { key: string | null; figures: UsageFigures }>(a: T, b: T): number {
  if (a.figures.credits !== b.figures.credits) return a.figures.credits > b.figures.credits ? -1 : 1;
  if (a.figures.requests !== b.figures.requests) return b.figures.requests - a.figures.requests;
  if (a.key === b.key) return 0;
  if (a.key === null || b.key === null) return a.key === null ? 1 : -1;
  return a.key < b.key ? -1 : 1;
}

/** Groups figures by a key, summed; the top `cap` by credits and the rest summed (null when none). */
function capped<R extends UsageFigures>(rows: readonly R[], keyOf: (row: R) => string | null, cap: number) {
  const groups = new Map<string | null, UsageFigures>();
  for (const row of rows) {
    const key = keyOf(row);
    const sum = groups.get(key) ?? emptyFigures();
    addTo(sum, row);
    groups.set(key, sum);
  }
  const sorted = [...groups].map(([key, figures]) => ({ key, figures })).sort(byCredits);
  const rest = sorted.slice(cap);
  return { listed: sorted.slice(0, cap), other: rest.length === 0 ? null : sumOf(rest.map((entry) => entry.figures)) };
}

/** A name cleaned (shared/redact.ts) once per distinct name of one summary: its rows are thousands, its models a few. */
function nameCleaner(): (name: string | null) => string | null {
  const cleaned = new Map<string, string>();
  return (name) => {
    if (name === null) return null;
    let clean = cleaned.get(name);
    if (clean === undefined) cleaned.set(name, (clean = publicText(name, limits.nameLength)));
    return clean;
  };
}

/** Bigint median: the middle value, or for an even count the mean of the middle two, rounded up. */
export function medianOf(values: readonly bigint[]): bigint | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const middle = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[middle]!;
  const sum = sorted[middle - 1]! + sorted[middle]!;
  return sum >= 0n ? (sum + 1n) / 2n : sum / 2n;
}

type CharterCharges = { figures: UsageFigures; perRun: Map<string, bigint>; failed: Set<string> };

/**
 * The window's usage rows by charter: each receipt group whose run is one of the window's runs
 * counts for that run's charter (the first run listed under a run_id, should the ledger repeat one).
 */
function chargesByCharter(rows: readonly UsageRow[], runs: readonly UsageRun[]) {
  const runOf = new Map<string, UsageRun>();
  for (const run of runs) if (!runOf.has(run.runId)) runOf.set(run.runId, run);
  const charters = new Map<string, CharterCharges>();
  const unattributed: UsageFigures[] = [];
  for (const row of rows) {
    const run = runOf.get(row.runId);
    if (!run) {
      unattributed.push(row);
      continue;
    }
    const charges = charters.get(run.charterId) ?? { figures: emptyFigures(), perRun: new Map(), failed: new Set() };
    addTo(charges.figures, row);
    charges.perRun.set(run.runId, (charges.perRun.get(run.runId) ?? 0n) + row.credits);
    if (run.status === 'error') charges.failed.add(run.runId);
    charters.set(run.charterId, charges);
  }
  return { charters, unattributed };
}

/**
 * Each charter's own cost per run: the median of its runs of the window that left receipts. Read
 * from the receipts alone, so it holds even when the details (models) are unavailable.
 */
export function ownCreditsPerRun(usage: WindowUsage, runs: readonly UsageRun[]): Map<string, bigint> {
  const own = new Map<string, bigint>();
  for (const [charterId, charges] of chargesByCharter(usage.rows, runs).charters) {
    const median = medianOf([...charges.perRun.values()]);
    if (median !== null) own.set(charterId, median);
  }
  return own;
}

function charterEntry(charterId: string, name: string, charges: CharterCharges): CharterUsage {
  const failedCredits = [...charges.failed].reduce((sum, runId) => sum + charges.perRun.get(runId)!, 0n);
  const median = medianOf([...charges.perRun.values()]);
  return {
    charterId,
    name,
    ...toJson(charges.figures),
    runs: charges.perRun.size,
    medianCreditsPerRun: median === null ? null : median.toString(),
    failedRuns: charges.failed.size,
    failedCredits: failedCredits.toString(),
  };
}

export type UsageInput = {
  usage: WindowUsage;
  /** the window's runs of every charter */
  runs: readonly UsageRun[];
  /** every charter's id and display name, both already cleaned */
  charters: ReadonlyArray<{ id: string; name: string }>;
  /** the window [from, to), ms */
  from: number;
  to: number;
};

/** The last 24 hours' usage as published, or why it is unavailable. */
export function summarizeUsage(input: UsageInput): Usage {
  const { usage } = input;
  if (usage.details !== 'available') return { available: false, reason: usage.details };
  const nameOf = new Map(input.charters.map((charter) => [charter.id, charter.name]));
  const { charters, unattributed } = chargesByCharter(usage.rows, input.runs);
  const ranked = [...charters].map(([key, charges]) => ({ key, figures: charges.figures, charges })).sort(byCredits);
  const listed = ranked.slice(0, usageLimits.charters);
  const rest = ranked.slice(usageLimits.charters);
  const cleanName = nameCleaner();
  const models = capped(usage.rows, (row) => cleanName(row.model), usageLimits.models);
  const agents = capped(usage.rows, (row) => cleanName(row.agent), usageLimits.agents);
  const entries = listed.map(({ key, charges }) => charterEntry(key, nameOf.get(key) ?? key, charges));
  const failedCredits = ranked.reduce((sum, { charges }) => sum + [...charges.failed].reduce((runs, runId) => runs + charges.perRun.get(runId)!, 0n), 0n);
  const result: AvailableUsage = {
    available: true,
    from: new Date(input.from).toISOString(),
    to: new Date(input.to).toISOString(),
    total: toJson(sumOf(usage.rows)),
    failedCredits: failedCredits.toString(),
    charters: entries,
    chartersOther: rest.length === 0 ? null : toJson(sumOf(rest.map((entry) => entry.figures))),
    unattributed: unattributed.length === 0 ? null : toJson(sumOf(unattributed)),
    models: models.listed.map(({ key, figures }) => ({ model: key, ...toJson(figures) })),
    modelsOther: models.other === null ? null : toJson(models.other),
    agents: agents.listed.map(({ key, figures }) => ({ agent: key, ...toJson(figures) })),
    agentsOther: agents.other === null ? null : toJson(agents.other),
  };
  return result;
}

const dayTuple = (figures: UsageFigures): DayFigures => [
  figures.credits.toString(),
  figures.requests,
  figures.tokensIn.toString(),
  figures.tokensOut.toString(),
  figures.usdNanos === null ? null : formatUsd(figures.usdNanos),
];

/**
 * Closed days' usage for the history, compact: per UTC day, the charters and models that spent most
 * and the rest summed. A receipt counts for the charter of its run among `runs` (the stretch's runs,
 * the first listed under a run_id), else for no charter (null). Null when the details are unavailable.
 */
export function summarizeUsageDays(
  usage: { details: UsageDetails; rows: readonly DayUsageRow[] },
  runs: ReadonlyArray<Pick<UsageRun, 'runId' | 'charterId'>>,
): Map<string, DayUsage> | null {
  if (usage.details !== 'available') return null;
  const charterOf = new Map<string, string>();
  for (const run of runs) if (!charterOf.has(run.runId)) charterOf.set(run.runId, run.charterId);
  const byDay = new Map<string, DayUsageRow[]>();
  for (const row of usage.rows) {
    const rows = byDay.get(row.day);
    if (rows) rows.push(row);
    else byDay.set(row.day, [row]);
  }
  const cleanName = nameCleaner();
  const days = new Map<string, DayUsage>();
  for (const [day, rows] of [...byDay].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const charters = capped(rows, (row) => charterOf.get(row.runId) ?? null, usageLimits.dayCharters);
    const models = capped(rows, (row) => cleanName(row.model), usageLimits.dayModels);
    days.set(day, {
      total: dayTuple(sumOf(rows)),
      charters: charters.listed.map(({ key, figures }) => [key, ...dayTuple(figures)]),
      chartersOther: charters.other === null ? null : dayTuple(charters.other),
      models: models.listed.map(({ key, figures }) => [key, ...dayTuple(figures)]),
      modelsOther: models.other === null ? null : dayTuple(models.other),
    });
  }
  return days;
}

/**
 * What one closed day's spend bought (its receipts by run and model), matched to the charters of the
 * day's runs; null when the details are unreadable, zero totals on a day without receipts.
 */
export function dayUsageOf(usage: { details: UsageDetails; rows: readonly DayUsageRow[] }, dayRuns: readonly UsageRun[], dayStart: number): DayUsage | null {
  const days = summarizeUsageDays(usage, dayRuns);
  return days === null ? null : (days.get(utcDate(dayStart)) ?? emptyDayUsage());
}

/** A closed day on which the system spent nothing (the details readable): zero totals, no entries. */
export function emptyDayUsage(): DayUsage {
  return { total: dayTuple(emptyFigures()), charters: [], chartersOther: null, models: [], modelsOther: null };
}
