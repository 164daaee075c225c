// The 90-day history and its incidents, kept between ticks. Closed UTC days are counted once: at
// start (one read per day of the system's own runs, through the ledger's slot index) and, while the
// worker runs, from the tick's own window when a day closes (the tick reads from the start of the
// oldest open day, which is at most 24 hours plus the grace before now, or a day more while a run
// of that day is still in progress: see mayWait). Today and a day still
// inside its grace are counted from the tick's rows every tick. Nothing here writes anywhere.
import type { DayCounts, GovernanceHistory, Incident } from '../shared/contract.ts';
import { limits } from '../shared/contract.ts';
import { expectedFires, inProgress, isStuck, type EarlierFacts, type RunRecord, type StateRules } from '../shared/charter-state.ts';
import { advanceStreak, countDay, dayMs, startOfUtcDay, toIncident, utcDate, type OpenStreak } from '../shared/history.ts';
import type { GovernanceStatusPort, RunFacts, ScheduleFacts } from '../shared/ports.ts';
import type { CharterMemory } from './charter-memory.ts';

/** What the keeper needs of a charter; the snapshot's charter views provide it. */
export type HistoryCharter = {
  scheduleId: string;
  id: string;
  name: string;
  /** the cron's fires covering the span asked for, or the runs' own times for a charter without a usable schedule */
  fires: (from: number, to: number) => readonly number[];
  /** the first fire after `at` (one step of the cron, however long ago `at` was) */
  nextFireAfter: (at: number) => number | null;
  changedAt: number | null;
  followedThrough: number | null;
  /** rows in the tick's window (from runsFrom on), ascending */
  runs: readonly RunRecord[];
};

export type KeeperOptions = {
  source: GovernanceStatusPort;
  memory: CharterMemory;
  principalId: string;
  billingAccountId: string;
  rules: StateRules;
  /** a row as the rules see it, cleaned; null when its slot is not a usable instant */
  toRun: (run: RunFacts) => RunRecord | null;
  /** charters of a day read while rebuilding, cleaned the way the snapshot cleans them */
  chartersOf: (schedules: readonly ScheduleFacts[], runs: ReadonlyMap<string, readonly RunRecord[]>, now: number) => HistoryCharter[];
};

type ClosedDay = { spent: bigint; charters: Map<string, DayCounts> };

/** A worker that missed this much of the window's history (a long pause) rebuilds it instead. */
const maxGapMs = 12 * 60 * 60 * 1000;

export function createHistoryKeeper(options: KeeperOptions) {
  const { rules } = options;
  let days = new Map<string, ClosedDay>();
  let streaks = new Map<string, OpenStreak | null>();
  let resolved: Incident[] = [];
  /** end (exclusive) of the last closed day; null until rebuilt */
  let closedThrough: number | null = null;
  let lastUpdate = Number.NEGATIVE_INFINITY;
  /** per charter, where a streak open at the horizon really began (see rebuild) */
  let openedAt = new Map<string, number>();
  /** a rebuild under way: cut short (the tick's timeout), the next tick goes on from `next` */
  let progress: { horizon: number; next: number } | null = null;

  const closeLimit = (now: number) => startOfUtcDay(now - rules.graceMs);
  /**
   * A day whose grace has passed closes, unless it is the latest such day and one of its runs is
   * still in progress and not yet stuck: its outcome would be lost (a closed day is never read
   * again), and a restart, reading the finished row, would count it differently. It waits,
   * counted as open from the tick's rows (which then reach back to its start), until its runs
   * finish or are stuck (STUCK_AFTER_SECONDS after they started), so the read grows by at most
   * that much. A run that finishes after it was stuck is the one case in which a running worker
   * (the day counts it as neither success nor failure) and a restart differ.
   */
  const mayWait = (charters: readonly HistoryCharter[], dayStart: number, now: number) =>
    dayStart + dayMs === closeLimit(now) &&
    charters.some((charter) =>
      charter.runs.some(
        (run) =>
          run.scheduledFor >= dayStart &&
          run.scheduledFor < dayStart + dayMs &&
          inProgress(run) &&
          !isStuck(run, now, rules),
      ),
    );
  const horizonOf = (now: number) => startOfUtcDay(now) - (limits.historyDays - 1) * dayMs;

  function countCharterDay(charter: HistoryCharter, earlier: EarlierFacts, dayStart: number, until: number) {
    const runs = charter.runs.filter((run) => run.scheduledFor >= dayStart && run.scheduledFor < dayStart + dayMs);
    const firstRunAt = earlier.firstRunAt ?? charter.runs[0]?.scheduledFor ?? null;
    if (firstRunAt === null || firstRunAt >= dayStart + dayMs) return null; // before its first recorded run: no data
    const fires = charter.fires(dayStart, dayStart + dayMs);
    return expectedFires({ fires, runs, changedAt: charter.changedAt, followedThrough: charter.followedThrough, firstRunAt }, dayStart - 1, until);
  }

  /** Closes one day: counts become final and the streaks move past it. */
  function closeDay(charters: readonly HistoryCharter[], dayStart: number, spent: bigint) {
    const counts = new Map<string, DayCounts>();
    for (const charter of charters) {
      const expected = countCharterDay(charter, options.memory.earlier(charter.scheduleId), dayStart, dayStart + dayMs - 1);
      if (expected === null) continue;
      counts.set(charter.id, countDay(expected));
      const first = !streaks.has(charter.id);
      const step = advanceStreak(charter.id, streaks.get(charter.id) ?? null, expected, first ? openedAt.get(charter.id) : undefined);
      if (first && expected.length === 0) continue; // the horizon's override waits for the first expected fire
      streaks.set(charter.id, step.streak);
      resolved.push(...step.resolved);
    }
    days.set(utcDate(dayStart), { spent, charters: counts });
    closedThrough = dayStart + dayMs;
  }

  function prune(now: number) {
    const horizon = horizonOf(now);
    for (const date of days.keys()) if (date < utcDate(horizon)) days.delete(date);
    resolved = resolved.filter((incident) => Date.parse(incident.resolvedAt!) >= horizon);
  }

  return {
    /** false until rebuilt, and again after a gap the tick window cannot cover */
    ready(now: number): boolean {
      return progress === null && closedThrough !== null && now - lastUpdate < maxGapMs && closedThrough >= closeLimit(now) - dayMs;
    },
    /** Where the tick must read runs and spend from: the window, or the start of the oldest open day. */
    runsFrom(now: number): number {
      return Math.min(now - dayMs, closedThrough ?? closeLimit(now));
    },

    /**
     * Reads the earlier facts and the closed days of the last 90, one day per statement, and loads
     * the charter memory with them. A streak already open at the horizon began at the first fire
     * after the last success before it (or at the first run, if none ever succeeded): its incident
     * keeps that start, so its id does not move as the horizon does. A rebuild cut short by the
     * tick's timeout goes on where it stopped at the next tick, so a slow database still gets there.
     */
    async rebuild(now: number, windowStart: number, signal?: AbortSignal) {
      const horizon = horizonOf(now);
      const { principalId, billingAccountId } = options;
      if (progress?.horizon !== horizon) {
        const earlier = await options.source.readEarlierRuns({ principalId, before: new Date(horizon) });
        options.memory.load(
          new Map(
            earlier.map((facts) => [
              facts.scheduleId,
              {
                firstRunAt: facts.firstRunAt?.getTime() ?? null,
                lastFinished: facts.lastFinished && options.toRun(facts.lastFinished),
                lastSuccess: facts.lastSuccess && options.toRun(facts.lastSuccess),
              },
            ]),
          ),
        );
        days = new Map();
        streaks = new Map();
        resolved = [];
        openedAt = new Map();
        closedThrough = null;
        progress = { horizon, next: horizon };
      }
      let charters: HistoryCharter[] = [];
      const limit = closeLimit(now);
      for (let dayStart = progress.next; dayStart < limit; dayStart += dayMs) {
        signal?.throwIfAborted();
        const facts = await options.source.readHistory({ principalId, billingAccountId, from: new Date(dayStart), to: new Date(dayStart + dayMs) });
        const runsBySchedule = new Map<string, RunRecord[]>();
        for (const run of facts.runs) {
          const record = options.toRun(run);
          if (record === null) continue;
          const list = runsBySchedule.get(run.scheduleId) ?? [];
          list.push(record);
          runsBySchedule.set(run.scheduleId, list);
        }
        charters = options.chartersOf(facts.schedules, runsBySchedule, now);
        if (dayStart === horizon) {
          for (const charter of charters) {
            const before = options.memory.earlier(charter.scheduleId);
            if (before.firstRunAt === null) continue;
            const success = before.lastSuccess;
            openedAt.set(charter.id, success ? Math.min(charter.nextFireAfter(success.scheduledFor) ?? horizon, horizon) : before.firstRunAt);
          }
        }
        for (const charter of charters) options.memory.foldRows(charter.scheduleId, charter.runs, windowStart);
        if (mayWait(charters, dayStart, now)) break; // counted as open by the ticks until it closes
        const spent = facts.spendByDay.reduce((sum, day) => sum + day.credits, 0n);
        closeDay(charters, dayStart, spent);
        progress.next = dayStart + dayMs;
      }
      closedThrough = progress.next;
      progress = null;
      lastUpdate = now;
    },

    /**
     * Closes the days the tick's window now holds whole, counts the open ones, and returns the
     * history file's content and the ids of the incidents still open.
     */
    update(now: number, charters: readonly HistoryCharter[], spendByHour: ReadonlyMap<number, bigint>) {
      if (closedThrough === null) throw new Error('history read before it was rebuilt');
      const spentBetween = (from: number, to: number) => {
        let sum = 0n;
        for (const [hour, credits] of spendByHour) if (hour >= from && hour < to) sum += credits;
        return sum;
      };
      while (closedThrough + dayMs + rules.graceMs <= now && !mayWait(charters, closedThrough, now)) {
        closeDay(charters, closedThrough, spentBetween(closedThrough, closedThrough + dayMs));
      }
      prune(now);
      lastUpdate = now;

      // the latest slot with a finished run, over every open day: every fire before it is known
      const lastKnown = new Map<string, number>();
      for (const charter of charters) {
        const finished = charter.runs.findLast((run) => run.scheduledFor >= closedThrough! && !inProgress(run));
        if (finished) lastKnown.set(charter.id, finished.scheduledFor);
      }
      const open: Array<{ date: string; spent: bigint; charters: Map<string, DayCounts> }> = [];
      const live = new Map<string, { streak: OpenStreak | null; resolved: Incident[] }>();
      for (let dayStart = closedThrough; dayStart <= now; dayStart += dayMs) {
        const counts = new Map<string, DayCounts>();
        for (const charter of charters) {
          const known = countCharterDay(charter, options.memory.earlier(charter.scheduleId), dayStart, Math.min(dayStart + dayMs - 1, now));
          if (known === null) continue;
          // The grace waits for a row that may still come; a fire whose run has already finished is
          // known now, and so is every fire before it (the scheduler has moved past them: a fire
          // without a row before a finished run is missed). Counts keep the grace (the rules of
          // runs24h); streaks do not wait for a known outcome, so an incident opens and resolves
          // when the charter's state says so, and opens at its first fire whatever the order the
          // rows come in (a later tick never moves its start, and so its id, back).
          const due = now - rules.graceMs;
          const expected = known.filter((fire) => fire.at <= due);
          counts.set(charter.id, countDay(expected));
          const outcomes = known.filter((fire) => fire.at <= Math.max(due, lastKnown.get(charter.id) ?? due));
          const before = live.get(charter.id) ?? { streak: streaks.get(charter.id) ?? null, resolved: [] };
          const first = !streaks.has(charter.id) && !live.has(charter.id);
          const step = advanceStreak(charter.id, before.streak, outcomes, first ? openedAt.get(charter.id) : undefined);
          live.set(charter.id, { streak: step.streak, resolved: [...before.resolved, ...step.resolved] });
        }
        open.push({ date: utcDate(dayStart), spent: spentBetween(dayStart, dayStart + dayMs), charters: counts });
      }

      const known = new Set(charters.map((charter) => charter.id));
      const incidents: Incident[] = resolved.filter((incident) => known.has(incident.charterId));
      const openIncidents: string[] = [];
      for (const charter of charters) {
        const state = live.get(charter.id) ?? { streak: streaks.get(charter.id) ?? null, resolved: [] };
        incidents.push(...state.resolved);
        if (state.streak) {
          const incident = toIncident(charter.id, state.streak, null);
          incidents.push(incident);
          openIncidents.push(incident.id);
        }
      }
      incidents.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.charterId.localeCompare(b.charterId));

      const horizon = horizonOf(now);
      const dayList = [...[...days].map(([date, day]) => ({ date, ...day })), ...open]
        .filter((day) => day.date >= utcDate(horizon))
        .sort((a, b) => a.date.localeCompare(b.date));
      // every charter that exists (closed days may hold deleted ones); worker/side-files.ts
      // fitHistory caps the list (count and bytes) by severity
      const history: Omit<GovernanceHistory, 'generatedAt'> = {
        schemaVersion: 1,
        from: utcDate(horizon),
        to: utcDate(now),
        charters: charters.map((charter) => ({ id: charter.id, name: charter.name })),
        chartersTotal: charters.length,
        days: dayList.map((day) => ({
          date: day.date,
          spent: day.spent.toString(),
          charters: Object.fromEntries([...day.charters].filter(([id]) => known.has(id))),
        })),
        incidents,
      };
      return { history, openIncidents };
    },

    reset() {
      progress = null;
      closedThrough = null;
      days = new Map();
      streaks = new Map();
      resolved = [];
      openedAt = new Map();
    },
  };
}

export type HistoryKeeper = ReturnType<typeof createHistoryKeeper>;
