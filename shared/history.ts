// History from the ledger alone: per charter per UTC day the expected fires and what answered them
// (the rules of runs24h), and streaks: maximal runs of a charter's expected fires that did not
// succeed (shared/incidents.ts tells an incident from a blip). Pure, so a restart that reads the same
// rows derives the same days and the same ids.
import type { DayCounts, Incident, IncidentKind } from './contract.ts';
import { limits } from './constants.ts';
import { inProgress, runFinishedAt, type ExpectedFire, type RunRecord } from './charter-state.ts';

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
  /** its runs before the walk met a fire not settled yet (StreakState.unsettledAt): the runs it is sure of */
  settledRuns: number;
};

/**
 * A charter's walk along its expected fires, carried from day to day: the open streak, and the first
 * fire since the last success whose outcome is not settled yet (a run in progress that is not yet
 * stuck, or a fire still inside its grace), null when there is none. What comes after that fire may
 * still change (the run may succeed and end the streak there), so only what comes before it is certain.
 */
export type StreakState = { streak: OpenStreak | null; unsettledAt: number | null };
export const noStreak: StreakState = { streak: null, unsettledAt: null };

/** A streak a success ended: `endAt` is the fire of that run, `resolvedAt` when it finished. */
export type ResolvedStreak = { streak: OpenStreak; endAt: number; resolvedAt: number };

export type WalkOptions = {
  /** fires after this are not settled yet (the grace): the walk stops at the first of them */
  knownUntil?: number;
  /** whether a run in progress is settled (a stuck one is: it neither continues nor ends a streak); default: none is */
  isSettled?: (run: RunRecord) => boolean;
  /** where a streak opened by the first fire really began, before the rows read (see worker/history-keeper.ts) */
  openedAt?: number;
  /** the tick's now: no streak resolves after it (runFinishedAt); unbounded when absent */
  now?: number;
};

/** Stable across snapshots and restarts: the charter and the fire that opened the streak. */
export function incidentId(charterId: string, startedAt: number): string {
  return `${charterId}@${new Date(startedAt).toISOString()}`;
}

const kindOrder: IncidentKind[] = ['failed', 'missed', 'skipped'];

export const streakRuns = (streak: OpenStreak) => streak.failed + streak.missed + streak.skipped;

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
    runs: streakRuns(streak),
    errorCodes: streak.codes.slice(0, limits.incidentErrorCodes),
  };
}

/**
 * Walks a charter's expected fires in time order: a non-success opens or extends the streak, a
 * success ends it (resolved when that run finished, as runFinishedAt reads it (shared/charter-state.ts)), a stuck run does
 * neither. A fire not settled yet is noted (unsettledAt) and, past knownUntil, ends the walk. Whether
 * a streak is an incident or a blip is decided by shared/incidents.ts, not here.
 */
export function walkStreak(state: StreakState, expected: readonly ExpectedFire[], options: WalkOptions = {}): { state: StreakState; resolved: ResolvedStreak[] } {
  const { knownUntil = Number.POSITIVE_INFINITY, isSettled = () => false, openedAt, now } = options;
  const resolved: ResolvedStreak[] = [];
  let streak = state.streak === null ? null : { ...state.streak, codes: [...state.streak.codes] };
  let unsettledAt = state.unsettledAt;
  for (const [index, { at, run }] of expected.entries()) {
    if (at > knownUntil) {
      unsettledAt ??= at;
      break;
    }
    if (run?.status === 'success') {
      if (streak) resolved.push({ streak, endAt: at, resolvedAt: runFinishedAt(run, now) });
      streak = null;
      unsettledAt = null;
      continue;
    }
    if (run && inProgress(run)) {
      if (!isSettled(run)) unsettledAt ??= at;
      continue;
    }
    streak ??= { startedAt: index === 0 && openedAt !== undefined ? Math.min(openedAt, at) : at, failed: 0, missed: 0, skipped: 0, codes: [], lastAt: at, settledRuns: 0 };
    streak.lastAt = at;
    if (run === null) streak.missed += 1;
    else if (run.status === 'error') streak.failed += 1;
    else streak.skipped += 1;
    if (unsettledAt === null) streak.settledRuns += 1;
    if (run?.code && !streak.codes.includes(run.code)) streak.codes.push(run.code);
  }
  return { state: { streak, unsettledAt }, resolved };
}

/**
 * The incidents the history still lists when its 90 days begin at `horizon`: one leaves with them
 * once it ended before them, its end read no earlier than its start (a resolvedAt published before
 * the fix of runFinishedAt may be). One `announced` open (by the last history) stays whatever its
 * resolvedAt: it leaves only once published resolved, so the feeds say it ended and never take it back.
 */
export function withinHorizon(incidents: readonly Incident[], announced: ReadonlyMap<string, Pick<Incident, 'resolvedAt'>>, horizon: number): Incident[] {
  return incidents.filter(
    (incident) => incident.resolvedAt === null || announced.get(incident.id)?.resolvedAt === null || Math.max(Date.parse(incident.resolvedAt), Date.parse(incident.startedAt)) >= horizon,
  );
}

/** "Engineering: 12 runs failed (insufficient_credits)": an incident in words (the feeds, summary.json). */
export function incidentTitle(name: string, incident: Pick<Incident, 'runs' | 'kind' | 'errorCodes'>): string {
  const codes = incident.errorCodes.length > 0 ? ` (${incident.errorCodes.join(', ')})` : '';
  return `${name}: ${incident.runs.toLocaleString('en')} ${incident.runs === 1 ? 'run' : 'runs'} ${incident.kind}${codes}`;
}
