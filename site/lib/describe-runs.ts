// Run counts in words: a charter's last 24 hours, one day of its history, and the totals of the
// failed and missed run lists.
import type { DayCounts } from '../../shared/contract.ts';
import { fill, formatNumber } from '../i18n/fill.ts';
import type { Messages } from '../i18n/en.ts';

/** "23 of 24 succeeded, 1 missed"; "no runs expected". */
export function describeCounts(counts: DayCounts & { running?: number }, m: Messages): string {
  const count = (value: number) => formatNumber(m.locale, value);
  if (counts.expected === 0) return m.runs.noneExpected;
  const parts = [fill(m.runs.succeeded, { succeeded: count(counts.succeeded), expected: count(counts.expected) })];
  for (const key of ['failed', 'skipped', 'missed', 'running'] as const) {
    const value = counts[key] ?? 0;
    if (value > 0) parts.push(fill(m.runs[key], { count: count(value) }));
  }
  return parts.join(', ');
}

/** "112 failed, showing the latest 10"; "3 failed"; without a total (an older file): "the latest 3". */
export function describeTotal(shown: number, total: number | undefined, verb: string, m: Messages): string {
  const count = (value: number) => formatNumber(m.locale, value);
  if (total === undefined) return fill(m.runs.latest, { shown: count(shown) });
  return total > shown ? fill(m.runs.total, { total: count(total), verb, shown: count(shown) }) : `${count(total)} ${verb}`;
}
