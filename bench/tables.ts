// The shape of one run's results and the small helpers that turn them into Markdown tables.
import type { Ledger } from '../scripts/cogni/apply-schema.ts';
import type { DeploymentMemory } from './deployment-memory.ts';
import type { Machine } from './machine.ts';
import type { NaiveCost } from './naive-snapshot.ts';
import type { PagePerformance } from './page-performance.ts';
import type { PageWeight } from './page-weight.ts';
import type { QueryPlan } from './plans.ts';
import type { PreviousCost } from './previous-queries.ts';
import type { Scale, WindowPages } from './seed.ts';
import type { SnapshotCost } from './snapshot-cost.ts';
import type { FootprintResult } from './footprint.ts';
import type { WorkerTicks } from './worker-ticks.ts';

export type SizeResult = {
  scale: Scale;
  ledger: Ledger;
  seededSeconds: number;
  /** rows of each big table (everyone's), and the depth of the ledger's slot index */
  tableRows: { receipts: number; runs: number; threads: number };
  slotIndexLevels: number | null;
  /** the system's rows in a tick's windows at the pinned now, and the heap pages holding them */
  pages: WindowPages;
  /** one read of a tick's facts at the pinned now, many times, and its plans */
  design: SnapshotCost;
  naive: NaiveCost;
  /** the real worker, scheduled, in steady state */
  ticks: WorkerTicks;
  /** the system's runs in the 24-hour window of the counted ticks (at their end) */
  windowRuns: number;
  /** the previous release's shape on the same database, at the moment of each read */
  previous: PreviousCost;
};

export type Report = {
  command: string;
  quick: boolean;
  date: Date;
  machine: Machine;
  clusterSettings: Record<string, string>;
  reps: { snapshot: number; warmup: number; usage: number; ticks: number; tickWarmup: number; previous: number; previousBudgetMs: number };
  results: SizeResult[];
  footprint: FootprintResult;
  /** what docs/deployment.md requests and limits the worker to, when this run was rendered */
  deployment: DeploymentMemory;
  page: { weight: PageWeight; now: PagePerformance; before: PagePerformance | null };
  wallSeconds: number;
};

export const ms = (value: number) => value.toFixed(2);
export const x = (value: number) => `${value.toFixed(2)}x`;
export const kB = (bytes: number) => (bytes / 1000).toFixed(1);
export const count = (value: number) => Math.round(value).toLocaleString('en');
export const mib = (value: number) => `${value.toFixed(1)} MiB`;
/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length === 0 ? NaN : sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const problemsOf = (plans: QueryPlan[]) => plans.flatMap((plan) => plan.problems.map((problem) => `${plan.label}: ${problem}`));
export const detoursOf = (plans: QueryPlan[]) => plans.flatMap((plan) => plan.ledgerDetours.map((detour) => `${plan.label}: ${detour}`));

/** One ledger's rows, smallest size first. */
export function byLedger(results: SizeResult[], ledger: Ledger) {
  const rows = results.filter((result) => result.ledger === ledger);
  return { rows, smallest: rows[0]!, largest: rows[rows.length - 1]! };
}
