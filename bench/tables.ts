// The shape of one run's results and the small helpers that turn them into Markdown tables.
import type { Ledger } from '../scripts/cogni/apply-schema.ts';
import type { Machine } from './machine.ts';
import type { NaiveCost } from './naive-snapshot.ts';
import type { PageWeight } from './page-weight.ts';
import type { QueryPlan } from './plans.ts';
import type { Scale, WindowPages } from './seed.ts';
import type { SnapshotCost } from './snapshot-cost.ts';
import type { Footprint } from './worker-footprint.ts';

export type SizeResult = {
  scale: Scale;
  ledger: Ledger;
  seededSeconds: number;
  /** the system's rows in the snapshot's windows and the heap pages holding them */
  pages: WindowPages;
  design: SnapshotCost;
  naive: NaiveCost;
};

export type Report = {
  command: string;
  date: Date;
  machine: Machine;
  clusterSettings: Record<string, string>;
  reps: { snapshot: number; warmup: number };
  results: SizeResult[];
  footprint: Footprint;
  page: PageWeight;
  wallSeconds: number;
};

export const ms = (value: number) => value.toFixed(2);
export const x = (value: number) => `${value.toFixed(2)}x`;
export const kB = (bytes: number) => (bytes / 1000).toFixed(1);
export const count = (value: number) => Math.round(value).toLocaleString('en');

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
