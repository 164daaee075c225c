// What one charter is doing, judged against its own schedule: the cron says what should have
// happened, the ledger what did. Pure: fires and runs come in, the state and its evidence go out.
import type { CharterState, RunStatus, Runs24h, ScheduleError } from './contract.ts';
import { countsAsExpected, type DueRule } from './schedule-change.ts';

const dayMs = 24 * 60 * 60 * 1000;

/** One ledger row as the rules need it; times are epoch milliseconds. */
export type RunRecord = {
  runId: string;
  status: RunStatus;
  scheduledFor: number;
  startedAt: number | null;
  completedAt: number | null;
  /** the error code shown for it (error_code, or a message that is a bare code), already cleaned */
  code: string | null;
  /** the first line of its error message, cleaned; only for the newest failed runs (else null) */
  message?: string | null;
};

export type StateRules = { graceMs: number; stuckAfterMs: number; recoveringMs: number };

/** What is known of the charter's rows older than the window: its first run, the latest finished run before the window, its latest success. */
export type EarlierFacts = { firstRunAt: number | null; lastFinished: RunRecord | null; lastSuccess: RunRecord | null };

export type CharterInput = {
  now: number;
  enabled: boolean;
  scheduleError: ScheduleError | null;
  /** which fires were due around a change of the schedule (shared/schedule-change.ts) */
  rule: Pick<DueRule, 'quiet'>;
  /** the cron's fires, ascending, covering at least (now - 24 h, now] and the first fire after now - grace */
  fires: readonly number[];
  /** the cron's first fire after `at`, however long ago `at` was (null: none) */
  fireAfter: (at: number) => number | null;
  /** the charter's runs with scheduled_for in the window (now - 24 h at least, up to now), ascending */
  runs: readonly RunRecord[];
  earlier: EarlierFacts;
  rules: StateRules;
};

export type ExpectedFire = { at: number; run: RunRecord | null };

export type CharterJudgement = {
  state: CharterState;
  /** when the state began, or null when that was before the 24-hour window */
  stateSince: number | null;
  lastRun: RunRecord | null;
  lastSuccessAt: number | null;
  runs24h: Runs24h;
  /** expected fires of the window up to countedUntil, ascending, each with the run that answered it (null: missed) */
  expected: ExpectedFire[];
  /** the runs of the current state's streak (failing, skipped, missed: the fires), newest last */
  streak: { count: number; codes: string[] };
  /** the latest problem that makes the charter recovering (a failed, skipped or missed run) */
  lastProblemAt: number | null;
};

const finished = new Set<RunStatus>(['success', 'error', 'skipped', 'cancelled']);
export const inProgress = (run: RunRecord) => run.status === 'pending' || run.status === 'running';
/**
 * When a run began, as the rules take it: its started_at, or its slot when it has none or one that
 * cannot be (after now, or before the fire it answers: a writer's clock that is off). Believed, a
 * started_at years ahead kept a run from ever being stuck, and a history day from ever closing.
 */
export const runStartedAt = (run: RunRecord, now: number) =>
  run.startedAt !== null && run.startedAt >= run.scheduledFor && run.startedAt <= now ? run.startedAt : run.scheduledFor;
/**
 * When a run finished, as the rules take it: its completed_at, or its slot when it has none or one that
 * cannot be (after now, or before the fire it answers), as runStartedAt reads a start. One of 2000 or
 * 2100 would end a published incident before it began (out of the 90 days at once) or decades ahead
 * (never out of them); held to now instead, it would move with every tick, and a last success would
 * read "just now" forever. The slot stays put.
 */
export const runFinishedAt = (run: Pick<RunRecord, 'completedAt' | 'scheduledFor'>, now = Number.POSITIVE_INFINITY) =>
  run.completedAt !== null && run.completedAt >= run.scheduledFor && run.completedAt <= now ? run.completedAt : run.scheduledFor;
/** A run in progress for STUCK_AFTER_SECONDS since it began (runStartedAt). */
export const isStuck = (run: RunRecord, now: number, rules: StateRules) => inProgress(run) && runStartedAt(run, now) <= now - rules.stuckAfterMs;
export const isSkip = (run: Pick<RunRecord, 'status'>) => run.status === 'skipped' || run.status === 'cancelled';

/**
 * What a charter's settings decide before its runs are looked at, the first rules of judgeCharter:
 * paused when disabled, then invalid_schedule when its cron or zone does not parse; else null.
 */
export function settingsState({ enabled, scheduleError }: { enabled: boolean; scheduleError: ScheduleError | null }): 'paused' | 'invalid_schedule' | null {
  if (!enabled) return 'paused';
  return scheduleError === null ? null : 'invalid_schedule';
}

/** The state a latest finished run that did not succeed gives a charter that is neither missed nor stuck: failing after an error, skipped after a skip or cancel. */
export function lastRunState(run: Pick<RunRecord, 'status'>): 'failing' | 'skipped' | null {
  return run.status === 'error' ? 'failing' : isSkip(run) ? 'skipped' : null;
}

/** The fire whose slot holds `at`: the last fire at or before it (index into fires), or -1. */
function slotIndex(fires: readonly number[], at: number): number {
  let low = 0;
  let high = fires.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (fires[middle]! <= at) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

/**
 * The expected fires in (after, until], each answered by the latest run whose scheduled_for lies in
 * its slot [fire, next fire). Nothing is due before the fire that the first recorded run answered,
 * and an unanswered fire in the quiet span around a change of the schedule does not count.
 */
export function expectedFires(
  input: { fires: readonly number[]; runs: readonly RunRecord[]; quiet: DueRule['quiet']; firstRunAt: number | null },
  after: number,
  until: number,
): ExpectedFire[] {
  const { fires, runs, firstRunAt } = input;
  if (firstRunAt === null) return [];
  const firstDue = fires[slotIndex(fires, firstRunAt)] ?? firstRunAt;
  const answers = new Map<number, RunRecord>();
  for (const run of runs) {
    const index = slotIndex(fires, run.scheduledFor);
    if (index >= 0) answers.set(index, run); // runs ascend: the latest in a slot wins
  }
  const expected: ExpectedFire[] = [];
  for (let index = 0; index < fires.length; index++) {
    const at = fires[index]!;
    if (at <= after || at < firstDue) continue;
    if (at > until) break;
    const run = answers.get(index) ?? null;
    if (countsAsExpected(input, at, run !== null)) expected.push({ at, run });
  }
  return expected;
}

/**
 * How far a charter's fires are judged, one rule for its card (runs24h), its reason, its missed
 * runs, the history's days and its incidents: up to now - grace, since the grace waits for a row that
 * may still come; and at once up to the slot of its latest finished run, since that run says the
 * scheduler has moved past every fire before it (a run that failed inside the grace counts now).
 */
export function countedUntil(now: number, graceMs: number, runs: readonly RunRecord[]): number {
  let until = now - graceMs;
  for (const run of runs) if (!inProgress(run) && run.scheduledFor > until && run.scheduledFor <= now) until = run.scheduledFor;
  return until;
}

export function countExpected(expected: readonly ExpectedFire[]): Runs24h {
  const counts: Runs24h = { expected: expected.length, succeeded: 0, failed: 0, skipped: 0, missed: 0, running: 0 };
  for (const { run } of expected) {
    if (run === null) counts.missed += 1;
    else if (run.status === 'success') counts.succeeded += 1;
    else if (run.status === 'error') counts.failed += 1;
    else if (isSkip(run)) counts.skipped += 1;
    else counts.running += 1;
  }
  return counts;
}

const latest = <T>(items: readonly T[], test: (item: T) => boolean): T | null => {
  for (let index = items.length - 1; index >= 0; index--) if (test(items[index]!)) return items[index]!;
  return null;
};
const distinctCodes = (runs: readonly RunRecord[]) => [...new Set(runs.flatMap((run) => (run.code ? [run.code] : [])))];

/**
 * The trailing streak of the expected fires' finished runs that pass `test`, newest last (a fire
 * missed or still running neither continues nor ends it), and whether it may reach back before the
 * window (every finished run of the window passes, and so did the last one before it). Counted over
 * the fires of runs24h, so a reason's count is the card's.
 */
function trailingStreak(expected: readonly ExpectedFire[], earlier: RunRecord | null, test: (run: RunRecord) => boolean) {
  const finishedRuns = expected.flatMap((fire) => (fire.run && finished.has(fire.run.status) ? [fire.run] : []));
  let start = finishedRuns.length;
  while (start > 0 && test(finishedRuns[start - 1]!)) start -= 1;
  const runs = finishedRuns.slice(start);
  const reachesBack = start === 0 && (finishedRuns.length === 0 || (earlier !== null && test(earlier)));
  return { runs, since: reachesBack || runs.length === 0 ? null : runs[0]!.scheduledFor };
}

/**
 * The trailing streak of missed fires and when it began. A streak that starts at the window's first
 * fire began there if the window was cut short by the first recorded run or a change of the schedule
 * (where its quiet span ends), or if the latest run before it answered the fire just before it (a
 * daily charter that ran yesterday and missed today); otherwise it reaches back before the window (null).
 */
function missedStreak(input: CharterInput, expected: readonly ExpectedFire[], firstRunAt: number, windowStart: number) {
  let start = expected.length - 1;
  while (start > 0 && expected[start - 1]!.run === null) start -= 1;
  const first = expected[start]!.at;
  const cut = Math.max(firstRunAt, input.rule.quiet?.until ?? Number.NEGATIVE_INFINITY);
  const runBefore = Math.max(
    input.earlier.lastFinished?.scheduledFor ?? Number.NEGATIVE_INFINITY,
    ...input.runs.filter((run) => run.scheduledFor < first).map((run) => run.scheduledFor),
  );
  const beganHere = cut > windowStart || (runBefore > Number.NEGATIVE_INFINITY && input.fireAfter(runBefore) === first);
  return { since: start === 0 && !beganHere ? null : first, count: expected.length - start };
}

export function judgeCharter(input: CharterInput): CharterJudgement {
  const { now, runs, earlier, rules } = input;
  const windowStart = now - dayMs;
  const inWindow = (at: number | null) => (at !== null && at > windowStart ? at : null);
  const firstRunAt = earlier.firstRunAt ?? runs[0]?.scheduledFor ?? null;
  // every charter's fires follow its due rule (a paused one's, a broken schedule's too), as in the history
  const expected = expectedFires({ ...input, quiet: input.rule.quiet, firstRunAt }, windowStart, countedUntil(now, rules.graceMs, runs));
  const finishedRuns = runs.filter((run) => finished.has(run.status));
  const lastRun = finishedRuns.at(-1) ?? earlier.lastFinished;
  const lastSuccess = latest(finishedRuns, (run) => run.status === 'success') ?? earlier.lastSuccess;
  const problems = [
    ...finishedRuns.filter((run) => run.status !== 'success').map((run) => run.scheduledFor),
    ...expected.filter((fire) => fire.run === null).map((fire) => fire.at),
  ];
  const lastProblemAt = problems.length > 0 ? Math.max(...problems) : null;
  const base = {
    lastRun,
    lastSuccessAt: lastSuccess && runFinishedAt(lastSuccess, now),
    runs24h: countExpected(expected),
    expected,
    lastProblemAt,
  };
  const result = (state: CharterState, stateSince: number | null, streak: CharterJudgement['streak'] = { count: 0, codes: [] }) => ({
    ...base,
    state,
    stateSince: inWindow(stateSince),
    streak,
  });

  // When a pause or a broken schedule began is not known: updated_at may be a deploy's re-sync (shared/schedule-change.ts).
  const settled = settingsState(input);
  if (settled) return result(settled, null);
  if (firstRunAt === null) return result('no_runs', null);

  const latestFire = expected.at(-1);
  if (latestFire && latestFire.run === null) {
    const missed = missedStreak(input, expected, firstRunAt, windowStart);
    return result('missed', missed.since, { count: missed.count, codes: [] });
  }

  const stuck = runs.find((run) => isStuck(run, now, rules));
  if (stuck) return result('stuck', runStartedAt(stuck, now), { count: 1, codes: [] });

  const down = lastRun && lastRunState(lastRun);
  if (down) {
    const streak = trailingStreak(expected, earlier.lastFinished, (run) => lastRunState(run) === down);
    return result(down, streak.since, { count: streak.runs.length, codes: distinctCodes(streak.runs) });
  }

  if (lastRun?.status === 'success' && lastProblemAt !== null && lastProblemAt >= now - rules.recoveringMs) {
    const recovered = finishedRuns.find((run) => run.status === 'success' && run.scheduledFor > lastProblemAt);
    return result('recovering', recovered?.scheduledFor ?? null);
  }

  if (latestFire?.run && inProgress(latestFire.run)) return result('running', runStartedAt(latestFire.run, now));

  if (lastProblemAt === null) return result('ok', null);
  const recovered = finishedRuns.find((run) => run.status === 'success' && run.scheduledFor > lastProblemAt);
  return result('ok', Math.max(lastProblemAt + rules.recoveringMs, recovered?.scheduledFor ?? Number.NEGATIVE_INFINITY));
}
