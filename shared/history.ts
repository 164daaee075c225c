// History from the ledger alone: per charter per UTC day the expected fires and what answered them
// (the rules of runs24h), and incidents: maximal streaks of a charter's expected runs that did not
// succeed. Pure, so a restart that reads the same rows derives the same days and the same ids.
import type { DayCounts, Incident, IncidentKind } from './contract.ts';
import { limits } from './constants.ts';
import { inProgress, type ExpectedFire } from './charter-state.ts';

export const dayMs = 24 * 60 * 60 * 1000;

/** "2026-11-21" for the UTC day holding `at`. */
export const utcDate = (at: number) => new Date(at).toISOString().slice(0, 10);
export const startOfUtcDay = (at: number) => Math.floor(at / dayMs) * dayMs;

/** The day's counts; a fire still running counts as expected and nothing else until it ends. */
export function countDay(expected: readonly ExpectedFire[]): DayCounts {
  const counts: DayCounts = { expected: expected.length, succeeded: 0, failed: 0, skipped: 0, missed: 0 };
  for (const { run } of expected) {
    if (run === null) counts.missed += 1;
    else if (run.status === 'success') counts.succeeded += 1;
    else if (run.status === 'error') counts.failed += 1;
    else if (run.status === 'skipped' || run.status === 'cancelled') counts.skipped += 1;
  }
  return counts;
}

export function addCounts(a: DayCounts, b: DayCounts): DayCounts {
  return {
    expected: a.expected + b.expected,
    succeeded: a.succeeded + b.succeeded,
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
    missed: a.missed + b.missed,
  };
}

/** How a day reads on a bar: its words live here so the page and the feed say the same. */
export type DayClass = 'ok' | 'some_failures' | 'failed' | 'missed' | 'none_expected' | 'no_data';

export function classifyDay(counts: DayCounts | undefined): DayClass {
  if (counts === undefined) return 'no_data';
  if (counts.expected === 0) return 'none_expected';
  const bad = counts.failed + counts.skipped + counts.missed;
  if (bad === 0) return 'ok';
  if (counts.succeeded > 0) return 'some_failures';
  return counts.missed > counts.failed + counts.skipped ? 'missed' : 'failed';
}

export const dayClassText: Record<DayClass, string> = {
  ok: 'every expected run succeeded',
  some_failures: 'some runs failed or were missed',
  failed: 'no run succeeded',
  missed: 'no run happened',
  none_expected: 'no runs expected',
  no_data: 'no data',
};

/** The open end of a charter's streak of expected runs that did not succeed, carried from day to day. */
export type OpenStreak = {
  startedAt: number;
  failed: number;
  missed: number;
  skipped: number;
  codes: string[];
  /** the latest expected fire of the streak */
  lastAt: number;
};

/** Stable across snapshots and restarts: the charter and the fire that opened the streak. */
export function incidentId(charterId: string, startedAt: number): string {
  return `${charterId}@${new Date(startedAt).toISOString()}`;
}

const kindOrder: IncidentKind[] = ['failed', 'missed', 'skipped'];

export function toIncident(charterId: string, streak: OpenStreak, resolvedAt: number | null): Incident {
  const counts: Record<IncidentKind, number> = { failed: streak.failed, missed: streak.missed, skipped: streak.skipped };
  // What most of its runs did; ties go to the more serious kind.
  const kind = kindOrder.reduce((best, candidate) => (counts[candidate] > counts[best] ? candidate : best), kindOrder[0]!);
  return {
    id: incidentId(charterId, streak.startedAt),
    charterId,
    kind,
    startedAt: new Date(streak.startedAt).toISOString(),
    resolvedAt: resolvedAt === null ? null : new Date(resolvedAt).toISOString(),
    runs: streak.failed + streak.missed + streak.skipped,
    errorCodes: streak.codes.slice(0, limits.incidentErrorCodes),
  };
}

/**
 * Walks a charter's expected fires in time order: a non-success opens or extends the streak, a
 * success ends it (the incident is resolved when that run finished), a run still in progress does
 * neither. `openedAt` overrides the start of a streak that opens at the first fire (it began
 * earlier, before the rows that were read: see worker/history-keeper.ts).
 */
export function advanceStreak(
  charterId: string,
  streak: OpenStreak | null,
  expected: readonly ExpectedFire[],
  openedAt?: number,
): { streak: OpenStreak | null; resolved: Incident[] } {
  const resolved: Incident[] = [];
  let current = streak === null ? null : { ...streak, codes: [...streak.codes] };
  for (const [index, { at, run }] of expected.entries()) {
    if (run?.status === 'success') {
      if (current) resolved.push(toIncident(charterId, current, run.completedAt ?? run.scheduledFor));
      current = null;
      continue;
    }
    if (run && inProgress(run)) continue;
    current ??= { startedAt: index === 0 && openedAt !== undefined ? Math.min(openedAt, at) : at, failed: 0, missed: 0, skipped: 0, codes: [], lastAt: at };
    current.lastAt = at;
    if (run === null) current.missed += 1;
    else if (run.status === 'error') current.failed += 1;
    else current.skipped += 1;
    if (run?.code && !current.codes.includes(run.code)) current.codes.push(run.code);
  }
  return { streak: current, resolved };
}

/** "Engineering: 12 runs failed (insufficient_credits)": an incident in words (the feeds, summary.json). */
export function incidentTitle(name: string, incident: Pick<Incident, 'runs' | 'kind' | 'errorCodes'>): string {
  const codes = incident.errorCodes.length > 0 ? ` (${incident.errorCodes.join(', ')})` : '';
  return `${name}: ${incident.runs.toLocaleString('en')} ${incident.runs === 1 ? 'run' : 'runs'} ${incident.kind}${codes}`;
}
