// The 90-day history and its incidents, kept between ticks. A UTC day closes once its grace has
// passed: its counts become final and each charter's streak moves past it. Closed days come from
// the rebuild (worker/history-rebuild.ts, at start) or from the tick's own rows (which reach back to
// the start of the oldest open day); the open days are counted afresh from the tick's rows every
// tick. Both walk a day with the same function. Streaks become incidents by the rules of
// shared/incidents.ts. Besides what the ledger shows it remembers what it has announced (the
// incidents of its last history file, or of the published one at start: recall), so a published
// incident is never taken back, and the system's own incidents, which no table records. Nothing
// here reads or writes anywhere.
import type { DayCounts, GovernanceHistory, Incident, StatusIncident, StatusIncidentCode } from '../shared/contract.ts';
import { limits } from '../shared/contract.ts';
import { countedUntil, expectedFires, inProgress, isStuck, type RunRecord, type StateRules } from '../shared/charter-state.ts';
import { countDay, dayMs, noStreak, startOfUtcDay, toIncident, utcDate, walkStreak, type ResolvedStreak, type StreakState } from '../shared/history.ts';
import { advanceStatusIncidents, keepAnnounced, openStreakIsIncident, resolvedStreakIsIncident, type IncidentRules } from '../shared/incidents.ts';
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
 * A charter's walk carried from day to day. `openedAt`: where a streak open at the 90 days'
 * horizon really began (the first fire after its last success before them); it applies to the
 * first expected fire the walk meets, so the incident's id does not move as the horizon does.
 */
type Track = StreakState & { openedAt?: number };
type ClosedDay = { spent: bigint; charters: Map<string, DayCounts>; usage?: DayUsage | null };
export type KeeperRules = StateRules & IncidentRules;

/** A worker that missed this much of the window's history (a long pause) rebuilds it instead. */
const maxGapMs = 12 * 60 * 60 * 1000;
export const horizonOf = (now: number) => startOfUtcDay(now) - (limits.historyDays - 1) * dayMs;

/**
 * One charter's day: its counts and its streak moved along its fires up to `knownUntil` (the rule of
 * runs24h, shared/charter-state.ts countedUntil; a closed day is known whole). Null before its first
 * recorded run: no data.
 */
function walkDay(charter: CountedCharter, dayStart: number, now: number, knownUntil: number, track: Track, isSettled: (run: RunRecord) => boolean) {
  const dayEnd = dayStart + dayMs;
  if (charter.firstRunAt === null || charter.firstRunAt >= dayEnd) return null;
  const inDay = (at: number) => at >= dayStart && at < dayEnd;
  const fires = charter.fires.filter(inDay);
  const runs = charter.runs.filter((run) => inDay(run.scheduledFor));
  const known = expectedFires({ fires, runs, quiet: charter.rule.quiet, firstRunAt: charter.firstRunAt }, dayStart - 1, Math.min(dayEnd - 1, now));
  const counted = known.filter((fire) => fire.at <= knownUntil);
  const step = walkStreak(track, known, { knownUntil, isSettled, openedAt: track.openedAt });
  const next: Track = counted.length > 0 || track.openedAt === undefined ? step.state : { ...step.state, openedAt: track.openedAt };
  return { counts: countDay(counted), track: next, resolved: step.resolved };
}

export function createHistoryKeeper(rules: KeeperRules) {
  let days = new Map<string, ClosedDay>();
  let tracks = new Map<string, Track>();
  /** incidents that closed days resolved; blips are not kept */
  let resolved: Incident[] = [];
  /** the incidents of the last history content (or of the published file, recalled): never taken back */
  let announced = new Map<string, Incident>();
  let statusIncidents: StatusIncident[] = [];
  /** end (exclusive) of the last closed day; null until rebuilt */
  let closedThrough: number | null = null;
  let lastUpdate = Number.NEGATIVE_INFINITY;

  const closeLimit = (now: number) => startOfUtcDay(now - rules.graceMs);
  /** the streaks that are incidents: past the threshold, or announced before */
  const incidentsOf = (charterId: string, ended: readonly ResolvedStreak[]) =>
    ended.flatMap((end) => {
      const incident = toIncident(charterId, end.streak, end.resolvedAt);
      return resolvedStreakIsIncident(end, rules) || announced.has(incident.id) ? [incident] : [];
    });

  /** Walks every charter over one day from `from`; returns the day's counts, the tracks after it and the incidents it resolved. */
  function walk(charters: readonly CountedCharter[], dayStart: number, now: number, from: ReadonlyMap<string, Track>, knownUntil: (charter: CountedCharter) => number, isSettled: (run: RunRecord) => boolean) {
    const counts = new Map<string, DayCounts>();
    const after = new Map(from);
    const ended: Incident[] = [];
    for (const charter of charters) {
      const walked = walkDay(charter, dayStart, now, knownUntil(charter), from.get(charter.id) ?? noStreak, isSettled);
      if (walked === null) continue;
      counts.set(charter.id, walked.counts);
      after.set(charter.id, walked.track);
      ended.push(...incidentsOf(charter.id, walked.resolved));
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
    /**
     * What the published history says (at start, or when a replica leads anew): its incidents and the
     * system's are kept as announced. What this process knows already wins.
     */
    recall(published: Pick<GovernanceHistory, 'incidents' | 'statusIncidents'>) {
      for (const incident of published.incidents) if (!announced.has(incident.id)) announced.set(incident.id, incident);
      const known = new Set(statusIncidents.map((incident) => incident.id));
      statusIncidents = [...statusIncidents, ...(published.statusIncidents ?? []).filter((incident) => !known.has(incident.id))];
    },
    /** Starts a rebuild at the horizon: nothing closed yet; streaks open there begin at `openedAt`. */
    begin(horizon: number, openedAt: ReadonlyMap<string, number>) {
      days = new Map();
      resolved = [];
      tracks = new Map([...openedAt].map(([id, at]) => [id, { ...noStreak, openedAt: at }]));
      closedThrough = horizon;
      lastUpdate = Number.NEGATIVE_INFINITY; // not ready until the rebuild finishes
    },
    /** Closes one day: its counts become final and the streaks move past it (a run still in progress then is stuck: it does neither). */
    closeDay(charters: readonly CountedCharter[], dayStart: number, spent: bigint, now: number, usage?: DayUsage | null) {
      const walked = walk(charters, dayStart, now, tracks, () => Number.POSITIVE_INFINITY, () => true);
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
     * file's content and the incidents still open. The open days are counted, and their streaks
     * moved, up to countedUntil (the rule of runs24h), so an incident opens and resolves when the
     * charter's state says so, at its first fire whatever the order the rows come in.
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

      const knownUntil = (charter: CountedCharter) => countedUntil(now, rules.graceMs, charter.runs);
      const isSettled = (run: RunRecord) => isStuck(run, now, rules);
      let live: ReadonlyMap<string, Track> = tracks;
      const open: Array<{ date: string; spent: bigint; charters: Map<string, DayCounts> }> = [];
      const liveResolved: Incident[] = [];
      for (let dayStart = closedThrough; dayStart <= now; dayStart += dayMs) {
        const walked = walk(charters, dayStart, now, live, knownUntil, isSettled);
        live = walked.tracks;
        liveResolved.push(...walked.resolved);
        open.push({ date: utcDate(dayStart), spent: spentBetween(dayStart, dayStart + dayMs), charters: walked.counts });
      }
      const stillOpen = charters.flatMap((charter) => {
        const state = live.get(charter.id);
        if (!state?.streak) return [];
        const incident = toIncident(charter.id, state.streak, null);
        return openStreakIsIncident(state, now, rules) || announced.has(incident.id) ? [incident] : [];
      });
      const incidents = keepAnnounced([...resolved, ...liveResolved, ...stillOpen], announced.values(), now).filter(
        (incident) => incident.resolvedAt === null || Date.parse(incident.resolvedAt) >= horizon,
      );
      announced = new Map(incidents.map((incident) => [incident.id, incident]));
      return { ...historyContent(now, charters, [...days].map(([date, day]) => ({ date, ...day })).concat(open), incidents, stillOpen), closedNow };
    },

    /** Moves the system's incidents to this tick's conditions (shared/incidents.ts); returns them, newest first. */
    observeStatus(now: number, holding: ReadonlySet<StatusIncidentCode>): StatusIncident[] {
      statusIncidents = advanceStatusIncidents(statusIncidents, holding, now, horizonOf(now));
      return statusIncidents;
    },

    reset() {
      closedThrough = null;
      lastUpdate = Number.NEGATIVE_INFINITY;
      days = new Map();
      tracks = new Map();
      resolved = [];
      announced = new Map();
      statusIncidents = [];
    },
  };
  return keeper;
}

/**
 * The history file's content (before it is fitted to its bounds; its status incidents are added by
 * the tick) and the incidents still open. Incidents of charters that no longer exist stay: a
 * published incident leaves the file only with the 90 days.
 */
function historyContent(
  now: number,
  charters: readonly CountedCharter[],
  dayList: ReadonlyArray<{ date: string; spent: bigint; charters: ReadonlyMap<string, DayCounts>; usage?: DayUsage | null }>,
  incidents: Incident[],
  open: Incident[],
) {
  const known = new Set(charters.map((charter) => charter.id));
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
