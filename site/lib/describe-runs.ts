// Run counts in words: a charter's last 24 hours, one day of its history, and the totals of the
// failed and missed run lists.
import type { DayCounts } from '../../shared/contract.ts';

// One formatter for every figure: toLocaleString would build one per call, thousands per history.
const grouping = new Intl.NumberFormat('en');
const count = (value: number) => grouping.format(value);

/** "1 day", "1,240 runs". */
export const plural = (value: number, one: string) => `${count(value)} ${one}${value === 1 ? '' : 's'}`;

/** "23 of 24 succeeded, 1 missed"; "no runs expected". */
export function describeCounts(counts: DayCounts & { running?: number }): string {
  if (counts.expected === 0) return 'no runs expected';
  const parts = [`${count(counts.succeeded)} of ${count(counts.expected)} succeeded`];
  for (const key of ['failed', 'skipped', 'missed', 'running'] as const) {
    const value = counts[key] ?? 0;
    if (value > 0) parts.push(`${count(value)} ${key}`);
  }
  return parts.join(', ');
}

/** "112 failed, showing the latest 10"; "3 failed"; without a total (an older file): "the latest 3". */
export function describeTotal(shown: number, total: number | undefined, verb: string): string {
  if (total === undefined) return `showing the latest ${count(shown)}`;
  return total > shown ? `${count(total)} ${verb}, showing the latest ${count(shown)}` : `${count(total)} ${verb}`;
}
