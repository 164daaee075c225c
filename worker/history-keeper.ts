// The 90-day history and its incidents, kept between ticks. A UTC day closes once its grace has
// passed: its counts become final and each charter's streak moves past it. Closed days come from
// the rebuild (worker/history-rebuild.ts, at start) or from the tick's own rows (which reach back to
// the start of the oldest open day); the open days are counted afresh from the tick's rows every
// tick. Both walk a day with the same function. Nothing here reads or writes anywhere.
import type { DayCounts, GovernanceHistory, Incident } from '../shared/contract.ts';
import { limits } from '../shared/contract.ts';
import { expectedFires, inProgress, isStuck, type RunRecord, type StateRules } from '../shared/charter-state.ts';
import { advanceStreak, countDay, dayMs, startOfUtcDay, toIncident, utcDate, type OpenStreak } from '../shared/history.ts';
import type { DueRule } from '../shared/schedule-change.ts';
import type { DayUsage } from '../shared/usage-contract.ts';

/** What the keeper needs of a charter; the tick's judged charters are such. */
export type CountedCharter = {
  id: string;
  name: string;
  /** the schedule's row id, where the keeper's caller needs it (a day's usage) */
  scheduleId?: string;
  rule: Pick<DueRule, 'quiet'>;
  /** due fires covering the days asked for, ascending */
  fires: readonly number[];
  /** rows covering the days asked for, ascending */
  runs: readonly RunRecord[];
  /** its first recorded run: before it, a day has no data */
  firstRunAt: number | null;
};

/**
 * A charter's streak carried from day to day. `openedAt`: where a streak open at the 90 days'
 * horizon really began (the first fire after its last success before them); it applies to the
 * first expected fire the walk meets, so the incident's id does not move as the horizon does.
 */
type Track = { streak: OpenStreak | null; openedAt?: number };
type ClosedDay = { spent: bigint; charters: Map<string, DayCounts>; usage?: DayUsage | null };

/** A worker that missed this much of the window's history (a long pause) rebuilds it instead. */
const maxGapMs = 12 * 60 * 60 * 1000;
export const horizonOf = (now: number) => startOfUtcDay(now) - (limits.historyDays - 1) * dayMs;

/**
 * One charter's day: its counts (fires past the grace, the rules of runs24h) and its streak moved
 * along the fires whose outcome is known (`knownUntil`: a fire whose run has already finished is
 * known at once, and so is every fire before it). Null before its first recorded run: no data.
 */
function walkDay(charter: CountedCharter, dayStart: number, now: number, graceMs: number, knownUntil: number, track: Track) {
  const dayEnd = dayStart + dayMs;
  if (charter.firstRunAt === null || charter.firstRunAt >= dayEnd) return null;
  const inDay = (at: number) => at >= dayStart && at < dayEnd;
  const fires = charter.fires.filter(inDay);
  const runs = charter.runs.filter((run) => inDay(run.scheduledFor));
  const known = expectedFires({ fires, runs, quiet: charter.rule.quiet, firstRunAt: charter.firstRunAt }, dayStart - 1, Math.min(dayEnd - 1, now));
  const outcomes = known.filter((fire) => fire.at <= knownUntil);
  const step = advanceStreak(charter.id, track.streak, outcomes, track.openedAt);
  const next: Track = outcomes.length > 0 || track.openedAt === undefined ? { streak: step.streak } : { streak: step.streak, openedAt: track.openedAt };
  return { counts: countDay(known.filter((fire) => fire.at <= now - graceMs)), track: next, resolved: step.resolved };
}

export function createHistoryKeeper(rules: StateRules) {
  let days = new Map<string, ClosedDay>();
  let tracks = new Map<string, Track>();
  let resolved: Incident[] = [];
  /** end (exclusive) of the last closed day; null until rebuilt */
  let closedThrough: number | null = null;
  let lastUpdate = Number.NEGATIVE_INFINITY;

  const closeLimit = (now: number) => startOfUtcDay(now - rules.graceMs);

  /** Walks every charter over one day from `from`; returns the day's counts and the tracks after it. */
  function walk(charters: readonly CountedCharter[], dayStart: number, now: number, from: ReadonlyMap<string, Track>, knownUntil: (id: string) => number) {
    const counts = new Map<string, DayCounts>();
    const after = new Map(from);
    const ended: Incident[] = [];
    for (const charter of charters) {
      const walked = walkDay(charter, dayStart, now, rules.graceMs, knownUntil(charter.id), from.get(charter.id) ?? { streak: null });
      if (walked === null) continue;
      counts.set(charter.id, walked.counts);
      after.set(charter.id, walked.track);
      ended.push(...walked.resolved);
    }
    return { counts, tracks: after, resolved: ended };
  }

  const keeper = {
    /**
     * A day whose grace has passed closes, unless it is the latest such day and one of its runs is
     * still in progress and not yet stuck: its outcome would be lost (a closed day is never read
     * again), and a restart, reading the finished row, would count it differently. It waits, open,
     * until its runs finish or are stuck (STUCK_AFTER_SECONDS after they started), so the tick's
     * read grows by at most that much.
     */
    mayWait(charters: readonly CountedCharter[], dayStart: number, now: number): boolean {
      const inDay = (run: RunRecord) => run.scheduledFor >= dayStart && run.scheduledFor < dayStart + dayMs;
      return dayStart + dayMs === closeLimit(now) && charters.some((charter) => charter.runs.some((run) => inDay(run) && inProgress(run) && !isStuck(run, now, rules)));
    },
    /** Starts a rebuild at the horizon: nothing closed yet; streaks open there begin at `openedAt`. */
    begin(horizon: number, openedAt: ReadonlyMap<string, number>) {
      days = new Map();
      resolved = [];
      tracks = new Map([...openedAt].map(([id, at]) => [id, { streak: null, openedAt: at }]));
      closedThrough = horizon;
      lastUpdate = Number.NEGATIVE_INFINITY; // not ready until the rebuild finishes
    },
    /** Closes one day: its counts become final and the streaks move past it. */
    closeDay(charters: readonly CountedCharter[], dayStart: number, spent: bigint, now: number, usage?: DayUsage | null) {
      const walked = walk(charters, dayStart, now, tracks, () => Number.POSITIVE_INFINITY);
      days.set(utcDate(dayStart), { spent, charters: walked.counts, ...(usage !== undefined && { usage }) });
      tracks = walked.tracks;
      resolved.push(...walked.resolved);
      closedThrough = dayStart + dayMs;
    },
    /** The closed days the keeper holds, oldest first: what the archive takes (worker/archive.ts). */
    closedDays(): Array<{ date: string; spent: bigint; counts: ReadonlyMap<string, DayCounts> }> {
      return [...days].sort(([a], [b]) => a.localeCompare(b)).map(([date, day]) => ({ date, spent: day.spent, counts: day.charters }));
    },
    /** What a closed day's spend bought, once it is read (the day closed on a tick: its usage is read after). */
    setDayUsage(date: string, usage: DayUsage | null) {
      const day = days.get(date);
      if (day) day.usage = usage;
    },
    /** Marks the history current after a rebuild. */
    finish(now: number) {
      lastUpdate = now;
    },
    /** false until rebuilt, and again after a gap the tick's window cannot cover */
    ready(now: number): boolean {
      return closedThrough !== null && now - lastUpdate < maxGapMs && closedThrough >= closeLimit(now) - dayMs;
    },
    /** Where the tick must read runs and spend from: the window, or the start of the oldest open day. */
    runsFrom(now: number): number {
      return Math.min(now - dayMs, closedThrough ?? closeLimit(now));
    },

    /**
     * Closes the days the tick's rows now hold whole, counts the open ones, and returns the history
     * file's content and the incidents still open. Counts keep the grace (it waits for a row that
     * may still come); streaks do not wait for a known outcome, so an incident opens and resolves
     * when the charter's state says so, at its first fire whatever the order the rows come in.
     */
    update(now: number, charters: readonly CountedCharter[], spendByHour: ReadonlyMap<number, bigint>) {
      if (closedThrough === null) throw new Error('history read before it was rebuilt');
      const spentBetween = (from: number, to: number) => [...spendByHour].reduce((sum, [hour, credits]) => (hour >= from && hour < to ? sum + credits : sum), 0n);
      const closedNow: number[] = [];
      while (closedThrough + dayMs + rules.graceMs <= now && !keeper.mayWait(charters, closedThrough, now)) {
        closedNow.push(closedThrough);
        keeper.closeDay(charters, closedThrough, spentBetween(closedThrough, closedThrough + dayMs), now);
      }
      const horizon = horizonOf(now);
      for (const date of days.keys()) if (date < utcDate(horizon)) days.delete(date);
      resolved = resolved.filter((incident) => Date.parse(incident.resolvedAt!) >= horizon);
      lastUpdate = now;

      const lastFinished = new Map(charters.map((charter) => [charter.id, charter.runs.findLast((run) => run.scheduledFor >= closedThrough! && !inProgress(run))?.scheduledFor]));
      const knownUntil = (id: string) => Math.max(now - rules.graceMs, lastFinished.get(id) ?? Number.NEGATIVE_INFINITY);
      let live: ReadonlyMap<string, Track> = tracks;
      const open: Array<{ date: string; spent: bigint; charters: Map<string, DayCounts> }> = [];
      const liveResolved: Incident[] = [];
      for (let dayStart = closedThrough; dayStart <= now; dayStart += dayMs) {
        const walked = walk(charters, dayStart, now, live, knownUntil);
        live = walked.tracks;
        liveResolved.push(...walked.resolved);
        open.push({ date: utcDate(dayStart), spent: spentBetween(dayStart, dayStart + dayMs), charters: walked.counts });
      }
      return { ...historyContent(now, charters, [...days].map(([date, day]) => ({ date, ...day })).concat(open), [...resolved, ...liveResolved], live), closedNow };
    },

    reset() {
      closedThrough = null;
      lastUpdate = Number.NEGATIVE_INFINITY;
      days = new Map();
      tracks = new Map();
      resolved = [];
    },
  };
  return keeper;
}

/** The history file's content (before it is fitted to its bounds) and the incidents still open. */
function historyContent(
  now: number,
  charters: readonly CountedCharter[],
  dayList: ReadonlyArray<{ date: string; spent: bigint; charters: ReadonlyMap<string, DayCounts>; usage?: DayUsage | null }>,
  ended: readonly Incident[],
  tracks: ReadonlyMap<string, Track>,
) {
  const known = new Set(charters.map((charter) => charter.id));
  const open: Incident[] = [];
  for (const charter of charters) {
    const streak = tracks.get(charter.id)?.streak;
    if (streak) open.push(toIncident(charter.id, streak, null));
  }
  const incidents = [...ended.filter((incident) => known.has(incident.charterId)), ...open];
  incidents.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.charterId.localeCompare(b.charterId));
  const from = utcDate(horizonOf(now));
  // every charter that exists (closed days may hold deleted ones); fitting caps the list by severity
  const content: Omit<GovernanceHistory, 'generatedAt'> = {
    schemaVersion: 1,
    from,
    to: utcDate(now),
    charters: charters.map((charter) => ({ id: charter.id, name: charter.name })),
    chartersTotal: charters.length,
    days: dayList
      .filter((day) => day.date >= from)
      .sort((a, b) => a.date.localeCompare(b.date))
      .map((day) => ({
        date: day.date,
        spent: day.spent.toString(),
        charters: Object.fromEntries([...day.charters].filter(([id]) => known.has(id))),
        ...(day.usage !== undefined && { usage: day.usage }),
      })),
    incidents,
  };
  return { content, open };
}

export type HistoryKeeper = ReturnType<typeof createHistoryKeeper>;
