// How the history keeper (worker/history-keeper.ts) walks a day, and the state it keeps between
// ticks. A charter's counts and streak move along its fires one UTC day at a time; closing a day makes
// its counts final and its streaks the start of the next walk. The open days walk the same way from
// copies of those streaks. Every step takes the keeper's one state object; nothing here reads or writes anywhere.
import type { DayCounts, Incident, StatusIncident } from '../shared/contract.ts';
import { expectedFires, inProgress, isStuck, type RunRecord, type StateRules } from '../shared/charter-state.ts';
import { countDay, dayMs, noStreak, startOfUtcDay, toIncident, utcDate, walkStreak, type ResolvedStreak, type StreakState } from '../shared/history.ts';
import { resolvedStreakIsIncident, type IncidentRules } from '../shared/incidents.ts';
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
export type Track = StreakState & { openedAt?: number };
export type ClosedDay = { spent: bigint; charters: Map<string, DayCounts>; usage?: DayUsage | null };
export type KeeperRules = StateRules & IncidentRules;

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
  const step = walkStreak(track, known, { knownUntil, isSettled, openedAt: track.openedAt, now });
  const next: Track = counted.length > 0 || track.openedAt === undefined ? step.state : { ...step.state, openedAt: track.openedAt };
  return { counts: countDay(counted), track: next, resolved: step.resolved };
}

/**
 * What the keeper knows between ticks; it lives as long as the process, and reset() empties it (a
 * replica that leads anew rebuilds). Every step below takes this one object.
 */
export type KeeperState = {
  rules: KeeperRules;
  /** the closed days by UTC date: final, never walked again, so the tick need not read their rows */
  days: Map<string, ClosedDay>;
  /** each charter's streak after the last closed day: where the walk of the open days starts */
  tracks: Map<string, Track>;
  /** incidents that closed days resolved (their streaks are gone from tracks); blips are not kept */
  resolved: Incident[];
  /** the incidents of the last history content (or of the published file, recalled): never taken back */
  announced: Map<string, Incident>;
  /** when they were last published as they are: an open one goes on only as a streak begun by then (shared/incidents.ts) */
  announcedAt: number;
  /** the system's own incidents, which no table records: only this process knows them */
  statusIncidents: StatusIncident[];
  /** end (exclusive) of the last closed day; null until rebuilt */
  closedThrough: number | null;
  /** when the history was last brought current: after a longer gap than maxGapMs it is rebuilt */
  lastUpdate: number;
};

/** The state before a rebuild, and after reset(): nothing closed, nothing announced. */
export const emptyState = () => ({
  days: new Map<string, ClosedDay>(),
  tracks: new Map<string, Track>(),
  resolved: [] as Incident[],
  announced: new Map<string, Incident>(),
  announcedAt: Number.NEGATIVE_INFINITY,
  statusIncidents: [] as StatusIncident[],
  closedThrough: null as number | null,
  lastUpdate: Number.NEGATIVE_INFINITY,
});

export const closeLimit = (state: KeeperState, now: number) => startOfUtcDay(now - state.rules.graceMs);

/**
 * A day whose grace has passed closes, unless it is the latest such day and one of its runs is still
 * in progress and not yet stuck: its outcome would be lost (a closed day is never read again), and a
 * restart, reading the finished row, would count it differently. It waits, open, until its runs
 * finish or are stuck (STUCK_AFTER_SECONDS after they started), so the tick's read grows by at most
 * that much.
 */
export function mayWait(state: KeeperState, charters: readonly CountedCharter[], dayStart: number, now: number): boolean {
  const inDay = (run: RunRecord) => run.scheduledFor >= dayStart && run.scheduledFor < dayStart + dayMs;
  return dayStart + dayMs === closeLimit(state, now) && charters.some((charter) => charter.runs.some((run) => inDay(run) && inProgress(run) && !isStuck(run, now, state.rules)));
}

/** See the keeper's closeDay(); a closed day is known whole, and every run in it is settled. */
export function closeDay(state: KeeperState, charters: readonly CountedCharter[], dayStart: number, spent: bigint, now: number, usage?: DayUsage | null) {
  const walked = walk(state, charters, dayStart, now, state.tracks, () => Number.POSITIVE_INFINITY, () => true);
  state.days.set(utcDate(dayStart), { spent, charters: walked.counts, ...(usage !== undefined && { usage }) });
  state.tracks = walked.tracks;
  state.resolved.push(...walked.resolved);
  state.closedThrough = dayStart + dayMs;
}

/** Walks every charter over one day from `from`; returns the day's counts, the tracks after it and the incidents it resolved. */
export function walk(state: KeeperState, charters: readonly CountedCharter[], dayStart: number, now: number, from: ReadonlyMap<string, Track>, knownUntil: (charter: CountedCharter) => number, isSettled: (run: RunRecord) => boolean) {
  const counts = new Map<string, DayCounts>();
  const after = new Map(from);
  const ended: Incident[] = [];
  for (const charter of charters) {
    const walked = walkDay(charter, dayStart, now, knownUntil(charter), from.get(charter.id) ?? noStreak, isSettled);
    if (walked === null) continue;
    counts.set(charter.id, walked.counts);
    after.set(charter.id, walked.track);
    ended.push(...incidentsOf(state, charter.id, walked.resolved));
  }
  return { counts, tracks: after, resolved: ended };
}

/** the streaks that are incidents: past the threshold, or announced before */
function incidentsOf(state: KeeperState, charterId: string, ended: readonly ResolvedStreak[]) {
  return ended.flatMap((end) => {
    const incident = toIncident(charterId, end.streak, end.resolvedAt);
    return resolvedStreakIsIncident(end, state.rules) || state.announced.has(incident.id) ? [incident] : [];
  });
}
