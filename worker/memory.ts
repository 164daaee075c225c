// What the worker remembers between ticks, and why each is worth remembering. Everything a cheap
// index probe answers (a charter's first run, its latest finished run before the window) is read
// again every tick instead. What stays is what would be costly to find again:
//  - each charter's latest success: no index holds a run's status, so finding it walks back through
//    a whole failure streak (weeks of a per-minute charter). It is read once, when the worker starts
//    or becomes the leader (the rows before the 90 days), and from then on it is the latest success
//    among every row a read has shown: a fold (max by scheduled_for) that a restart, reading the
//    same rows, repeats exactly. Only a success written more than a day after its slot is missed,
//    until the next start.
//  - each schedule's fires: cron-parser takes 10 to 100 µs per fire, so a per-minute charter's day
//    and its 30-day forecast are computed once, then only their new end each tick (fire-cache.ts).
//  - each schedule row's due rule (shared/schedule-change.ts): a dozen cron steps, recomputed only
//    when the row or its latest slots change.
// A replica that stops leading forgets all of it (reset) and reads it again when it leads again.
import { isDeepStrictEqual } from 'node:util';
import type { RunRecord, StateRules } from '../shared/charter-state.ts';
import { fireAfter } from '../shared/schedule.ts';
import { dueRuleOf, type DueRule } from '../shared/schedule-change.ts';
import { createFireCache } from './fire-cache.ts';
import { instantMs, type CharterRow, type JudgeMemory } from './judge-charters.ts';

const later = (run: RunRecord, than: RunRecord | null | undefined) => !than || run.scheduledFor >= than.scheduledFor;

export function createMemory(rules: Pick<StateRules, 'graceMs'>) {
  let lastSuccess = new Map<string, RunRecord | null>();
  const fires = createFireCache();
  /** each schedule's due rule, with what it was computed from */
  let dueRules = new Map<string, { from: unknown; rule: DueRule }>();

  const ruleOf = (row: CharterRow): DueRule => {
    const { schedule } = row;
    const input = {
      enabled: row.enabled,
      cronParses: row.scheduleError === null,
      updatedAt: instantMs(schedule.updatedAt),
      lastRunAt: instantMs(schedule.lastRunAt),
      slotsBeforeChange: schedule.slotsBeforeChange.flatMap((slot) => instantMs(slot) ?? []),
    };
    const from = { cron: row.rawCron, timezone: row.rawTimezone, input };
    const known = dueRules.get(row.scheduleId);
    if (known && isDeepStrictEqual(known.from, from)) return known.rule;
    const rule = dueRuleOf(input, (at) => fireAfter(row.rawCron, row.rawTimezone, at), rules.graceMs);
    dueRules.set(row.scheduleId, { from, rule });
    return rule;
  };

  const memory = {
    /** Starts over from the latest successes read from the database (rows before some instant). */
    load(successes: ReadonlyMap<string, RunRecord | null>) {
      lastSuccess = new Map(successes);
    },
    /** Folds in rows a read has shown: the latest success of each charter. */
    see(runsBySchedule: ReadonlyMap<string, readonly RunRecord[]>) {
      for (const [scheduleId, runs] of runsBySchedule) {
        const success = runs.findLast((run) => run.status === 'success');
        if (success && later(success, lastSuccess.get(scheduleId))) lastSuccess.set(scheduleId, success);
      }
    },
    /** Forgets charters that no longer exist, and fires no charter asked for since the last call. */
    keepOnly(scheduleIds: ReadonlySet<string>) {
      for (const id of lastSuccess.keys()) if (!scheduleIds.has(id)) lastSuccess.delete(id);
      for (const id of dueRules.keys()) if (!scheduleIds.has(id)) dueRules.delete(id);
      fires.sweep();
    },
    lastSuccessOf: (scheduleId: string) => lastSuccess.get(scheduleId) ?? null,
    ruleOf,
    firesOf: (row: CharterRow, from: number, to: number) => fires.span(row.rawCron, row.rawTimezone, from, to),
    reset() {
      lastSuccess = new Map();
      dueRules = new Map();
    },
  } satisfies JudgeMemory & Record<string, unknown>;
  return memory;
}

export type Memory = ReturnType<typeof createMemory>;
