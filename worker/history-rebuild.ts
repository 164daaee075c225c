// The history as a worker finds it when it starts or becomes the leader: what the published history
// file announced (its incidents are never taken back), the latest successes before the 90 days (the
// one read that walks back through a failure streak), then every closed day of the 90, one statement
// per day through the ledger's slot index, each closed in the keeper as the ticks would have closed
// it. A rebuild cut short (the tick's timeout) goes on where it stopped at the next tick, so a slow
// database still gets there.
import type { RunRecord } from '../shared/charter-state.ts';
import { limits, type GovernanceHistory } from '../shared/contract.ts';
import { dayMs, startOfUtcDay, utcDate } from '../shared/history.ts';
import type { GovernanceStatusPort, HistoryFacts, ScheduleFacts } from '../shared/ports.ts';
import { emptyDayUsage, summarizeUsageDays } from '../shared/usage.ts';
import type { DayUsage } from '../shared/usage-contract.ts';
import { fireAfter, firesBetween } from '../shared/schedule.ts';
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
  /** the history file as published (null: none, or no store to read it from) */
  readPublished?: (signal?: AbortSignal) => Promise<GovernanceHistory | null>;
};

export function createHistoryRebuild({ source, keeper, memory, principalId, billingAccountId, graceMs, readPublished }: RebuildDeps) {
  /** a rebuild under way: the horizon it started from, the next day to read, each charter's first run so far */
  let progress: { horizon: number; next: number; firstRunAt: Map<string, number>; before: ReadonlyMap<string, number> } | null = null;

  /** Reads what was announced, and what the rows before the horizon say: each charter's first run and latest success. */
  async function begin(horizon: number, signal?: AbortSignal) {
    const published = await readPublished?.(signal);
    if (published) keeper.recall(published);
    const earlier = await source.readEarlierRuns({ principalId, before: new Date(horizon) });
    memory.load(new Map(earlier.map((facts) => [facts.scheduleId, facts.lastSuccess && toRunRecord(facts.lastSuccess)])));
    const firstRunAt = new Map(earlier.flatMap((facts) => (instantMs(facts.firstRunAt) === null ? [] : [[facts.scheduleId, instantMs(facts.firstRunAt)!] as const])));
    progress = { horizon, next: horizon, firstRunAt: new Map(firstRunAt), before: firstRunAt };
  }

  /** Where a streak open at the horizon began: the first fire after the last success before it, else the first run. */
  function openedAt(rows: readonly CharterRow[], before: ReadonlyMap<string, number>, horizon: number): Map<string, number> {
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

  return {
    /** Rebuilds the closed days of the last 90 (or goes on with a rebuild cut short). */
    async run(now: number, signal?: AbortSignal) {
      const horizon = horizonOf(now);
      if (progress?.horizon !== horizon) await begin(horizon, signal);
      const state = progress!;
      const days = dayCharters(state.firstRunAt, now, horizon);
      for (let dayStart = state.next; dayStart < startOfUtcDay(now - graceMs); dayStart += dayMs) {
        signal?.throwIfAborted();
        const facts = await source.readHistory({ principalId, billingAccountId, from: new Date(dayStart), to: new Date(dayStart + dayMs) });
        const runsBySchedule = groupRuns(facts.runs);
        // the horizon's streaks start from the successes before it, so before its own rows are seen
        if (dayStart === horizon) keeper.begin(horizon, openedAt(cleanCharterRows(facts.schedules, now), state.before, horizon));
        memory.see(runsBySchedule);
        const charters = days(facts.schedules, runsBySchedule, dayStart);
        if (keeper.mayWait(charters, dayStart, now)) break; // counted as open by the ticks until it closes
        keeper.closeDay(charters, dayStart, facts.spendByDay.reduce((sum, day) => sum + day.credits, 0n), now, dayUsageOf(facts, charters, dayStart));
        state.next = dayStart + dayMs;
      }
      keeper.finish(now);
      progress = null;
    },
    reset() {
      progress = null;
    },
  };

  /**
   * The charters of one day as the keeper counts them. Each day's read returns the same schedules:
   * they are cleaned once, and each distinct schedule's fires of the 90 days are computed once (many
   * charters share a cron), for this rebuild only: the fire cache keeps just the tick's window.
   */
  function dayCharters(firstRunAt: Map<string, number>, now: number, horizon: number) {
    let cleaned: { key: string; rows: CharterRow[] } | null = null;
    const fires = new Map<string, number[]>();
    const firesOf = (row: CharterRow) => {
      const key = `${row.rawTimezone}\u0000${row.rawCron}`;
      if (!fires.has(key)) fires.set(key, firesBetween(row.rawCron, row.rawTimezone, horizon, now, maxCachedFires * 3));
      return fires.get(key)!;
    };
    return (schedules: readonly ScheduleFacts[], runsBySchedule: ReadonlyMap<string, readonly RunRecord[]>, dayStart: number): CountedCharter[] => {
      const key = JSON.stringify(schedules);
      if (cleaned?.key !== key) cleaned = { key, rows: cleanCharterRows(schedules, now) };
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
}

export type HistoryRebuild = ReturnType<typeof createHistoryRebuild>;

/**
 * What one day's spend bought (its receipts by run and model), its receipts matched to the charters
 * of the day's runs; null when the details are unreadable, zero totals on a day without receipts.
 */
export function dayUsageOf(facts: HistoryFacts, charters: ReadonlyArray<{ id: string; scheduleId?: string }>, dayStart: number): DayUsage | null {
  const idOf = new Map(charters.flatMap((charter) => (charter.scheduleId ? [[charter.scheduleId, charter.id] as const] : [])));
  const runs = facts.runs.flatMap((run) => (idOf.has(run.scheduleId) ? [{ runId: run.runId, charterId: idOf.get(run.scheduleId)! }] : []));
  const days = summarizeUsageDays(facts.usageByDay, runs);
  return days === null ? null : (days.get(utcDate(dayStart)) ?? emptyDayUsage());
}
