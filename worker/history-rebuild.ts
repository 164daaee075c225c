// The history as a worker finds it when it starts or becomes the leader: what the published history
// file announced (its incidents are never taken back), the latest successes before the 90 days (the
// one read that walks back through a failure streak), then every closed day of the 90, one statement
// per day through the ledger's slot index, each closed in the keeper as the ticks would have closed
// it. A rebuild cut short (the tick's timeout) goes on where it stopped at the next tick, so a slow
// database still gets there.
import { isDeepStrictEqual } from 'node:util';
import type { RunRecord } from '../shared/charter-state.ts';
import type { Recalled } from '../shared/incidents.ts';
import { dayMs, startOfUtcDay } from '../shared/history.ts';
import type { GovernanceStatusPort, ScheduleFacts } from '../shared/ports.ts';
import { dayUsageOf, usageRunsOf } from '../shared/usage.ts';
import { fireAfter, firesBetween, scheduleKey } from '../shared/schedule.ts';
import { dueFires } from '../shared/schedule-change.ts';
import { firstAtOrAfter, maxCachedFires } from './fire-cache.ts';
import { horizonOf, type CountedCharter, type HistoryKeeper } from './history-keeper.ts';
import { cleanCharterRows, groupRuns, instantMs, toRunRecord, type CharterRow } from './judge-charters.ts';
import type { Memory } from './memory.ts';

export type RebuildDeps = {
  source: GovernanceStatusPort;
  keeper: HistoryKeeper;
  memory: Memory;
  principalId: string;
  billingAccountId: string;
  graceMs: number;
  /** what the published files announced (shared/incidents.ts recalledIncidents); none without a store */
  readPublished?: (signal?: AbortSignal) => Promise<Recalled>;
};

/** A rebuild under way; the next tick goes on with it when the tick's timeout cut it short. */
type Progress = {
  /** the horizon it started from: once a new UTC day moves the horizon, it starts again */
  horizon: number;
  /** the next day to read and close */
  next: number;
  /** each schedule's first run so far (before the horizon, then in the days read): before it, a day has no data */
  firstRunAt: Map<string, number>;
  /** each schedule's first run before the horizon: where a streak open there began, lacking an earlier success */
  before: ReadonlyMap<string, number>;
};

/** What the rebuild keeps between ticks, besides its deps; reset() (a replica that leads anew) drops it. */
type RebuildState = RebuildDeps & {
  /** the rebuild under way; null when none is */
  progress: Progress | null;
};

export function createHistoryRebuild(deps: RebuildDeps) {
  const state: RebuildState = { ...deps, progress: null };
  return {
    /** Rebuilds the closed days of the last 90 (or goes on with a rebuild cut short). */
    run: (now: number, signal?: AbortSignal): Promise<void> => run(state, now, signal),
    reset() {
      state.progress = null;
    },
  };
}

/** See run() above. Each day is read, then closed in the keeper as the ticks would have closed it. */
async function run(state: RebuildState, now: number, signal?: AbortSignal) {
  const { source, keeper, memory, principalId, billingAccountId, graceMs } = state;
  const horizon = horizonOf(now);
  if (state.progress?.horizon !== horizon) state.progress = await begin(state, horizon, signal);
  const progress = state.progress;
  const days = dayCharters(memory, progress.firstRunAt, now, horizon);
  for (let dayStart = progress.next; dayStart < startOfUtcDay(now - graceMs); dayStart += dayMs) {
    signal?.throwIfAborted();
    const facts = await source.readHistory({ principalId, billingAccountId, from: new Date(dayStart), to: new Date(dayStart + dayMs) });
    const runsBySchedule = groupRuns(facts.runs);
    // the horizon's streaks start from the successes before it, so before its own rows are seen
    if (dayStart === horizon) keeper.begin(horizon, openedAt(memory, cleanCharterRows(facts.schedules, now), progress.before, horizon));
    memory.see(runsBySchedule);
    const charters = days(facts.schedules, runsBySchedule, dayStart);
    if (keeper.mayWait(charters, dayStart, now)) break; // counted as open by the ticks until it closes
    keeper.closeDay(charters, dayStart, facts.spendByDay.reduce((sum, day) => sum + day.credits, 0n), now, dayUsageOf(facts.usageByDay, usageRunsOf(facts.runs, charters), dayStart));
    progress.next = dayStart + dayMs;
  }
  keeper.finish(now);
  state.progress = null;
}

/** Reads what was announced, and what the rows before the horizon say: each charter's first run and latest success. */
async function begin({ source, keeper, memory, principalId, readPublished }: RebuildState, horizon: number, signal?: AbortSignal): Promise<Progress> {
  const published = await readPublished?.(signal);
  if (published) keeper.recall(published);
  const earlier = await source.readEarlierRuns({ principalId, before: new Date(horizon) });
  memory.load(new Map(earlier.map((facts) => [facts.scheduleId, facts.lastSuccess && toRunRecord(facts.lastSuccess)])));
  const firstRunAt = new Map(earlier.flatMap((facts) => {
    const at = instantMs(facts.firstRunAt);
    return at === null ? [] : [[facts.scheduleId, at] as const];
  }));
  return { horizon, next: horizon, firstRunAt: new Map(firstRunAt), before: firstRunAt };
}

/** Where a streak open at the horizon began: the first fire after the last success before it, else the first run. */
function openedAt(memory: Memory, rows: readonly CharterRow[], before: ReadonlyMap<string, number>, horizon: number): Map<string, number> {
  const opened = new Map<string, number>();
  for (const row of rows) {
    const firstRun = before.get(row.scheduleId);
    if (firstRun === undefined) continue;
    const success = memory.lastSuccessOf(row.scheduleId);
    const next = success && memory.ruleOf(row).byCron ? fireAfter(row.rawCron, row.rawTimezone, success.scheduledFor) : null;
    opened.set(row.id, success ? Math.min(next ?? horizon, horizon) : firstRun);
  }
  return opened;
}

/**
 * The charters of one day as the keeper counts them. Each day's read returns the same schedules:
 * they are cleaned once, and each distinct schedule's fires of the 90 days are computed once (many
 * charters share a cron), for this rebuild only: the fire cache keeps just the tick's window.
 */
function dayCharters(memory: Memory, firstRunAt: Map<string, number>, now: number, horizon: number) {
  let cleaned: { schedules: readonly ScheduleFacts[]; rows: CharterRow[] } | null = null;
  const fires = new Map<string, number[]>();
  const firesOf = (row: CharterRow) => {
    const key = scheduleKey(row.rawCron, row.rawTimezone);
    if (!fires.has(key)) fires.set(key, firesBetween(row.rawCron, row.rawTimezone, horizon, now, maxCachedFires * 3));
    return fires.get(key)!;
  };
  return (schedules: readonly ScheduleFacts[], runsBySchedule: ReadonlyMap<string, readonly RunRecord[]>, dayStart: number): CountedCharter[] => {
    if (!cleaned || !isDeepStrictEqual(cleaned.schedules, schedules)) cleaned = { schedules, rows: cleanCharterRows(schedules, now) };
    return cleaned.rows.map((row) => {
      const runs = runsBySchedule.get(row.scheduleId) ?? [];
      const first = Math.min(firstRunAt.get(row.scheduleId) ?? Number.POSITIVE_INFINITY, runs[0]?.scheduledFor ?? Number.POSITIVE_INFINITY);
      if (first < Number.POSITIVE_INFINITY) firstRunAt.set(row.scheduleId, first);
      const rule = memory.ruleOf(row);
      const all = rule.byCron ? firesOf(row) : [];
      const cron = all.slice(firstAtOrAfter(all, dayStart), firstAtOrAfter(all, dayStart + dayMs));
      const due = dueFires(rule, cron, runs.map((run) => run.scheduledFor));
      return { id: row.id, name: row.name, scheduleId: row.scheduleId, rule, fires: due, runs, firstRunAt: first < Number.POSITIVE_INFINITY ? first : null };
    });
  };
}

export type HistoryRebuild = ReturnType<typeof createHistoryRebuild>;
