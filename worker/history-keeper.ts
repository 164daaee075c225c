// The 90-day history and its incidents, kept between ticks. A UTC day closes once its grace has
// passed: its counts become final and each charter's streak moves past it. Closed days come from
// the rebuild (worker/history-rebuild.ts, at start) or from the tick's own rows (which reach back to
// the start of the oldest open day); the open days are counted afresh from the tick's rows every
// tick. Both walk a day with the same function (worker/history-walk.ts, beside the keeper's state).
// Streaks become incidents by the rules of shared/incidents.ts. Besides what the ledger shows it
// remembers what it has announced (the incidents of its last history file, or of the published one
// at start: recall), so a published incident is never taken back, and the system's own incidents,
// which no table records. Nothing here reads or writes anywhere.
import type { DayCounts, GovernanceHistory, Incident, StatusIncident, StatusIncidentCode } from '../shared/contract.ts';
import { limits } from '../shared/contract.ts';
import { countedUntil, isStuck, type RunRecord } from '../shared/charter-state.ts';
import { dayMs, noStreak, startOfUtcDay, toIncident, utcDate, withinHorizon } from '../shared/history.ts';
import { advanceStatusIncidents, keepAnnounced, openStreakIsIncident, type Recalled } from '../shared/incidents.ts';
import type { DayUsage } from '../shared/usage-contract.ts';
import { closeDay, closeLimit, emptyState, mayWait, walk, type CountedCharter, type KeeperRules, type KeeperState, type Track } from './history-walk.ts';

export type { CountedCharter, KeeperRules } from './history-walk.ts';

/** A worker that missed this much of the window's history (a long pause) rebuilds it instead. */
const maxGapMs = 12 * 60 * 60 * 1000;
export const horizonOf = (now: number) => startOfUtcDay(now) - (limits.historyDays - 1) * dayMs;

export function createHistoryKeeper(rules: KeeperRules) {
  const state: KeeperState = { rules, ...emptyState() };
  return {
    /** Whether a day whose grace has passed still waits, open, for a run in progress (history-walk.ts says why). */
    mayWait: (charters: readonly CountedCharter[], dayStart: number, now: number): boolean => mayWait(state, charters, dayStart, now),
    /**
     * What the published history says (at start, or when a replica leads anew): its incidents and the
     * system's are kept as announced. What this process knows already wins.
     */
    recall: (published: Recalled) => recall(state, published),
    /** Starts a rebuild at the horizon: nothing closed yet; streaks open there begin at `openedAt`. */
    begin: (horizon: number, openedAt: ReadonlyMap<string, number>) => begin(state, horizon, openedAt),
    /** Closes one day: its counts become final and the streaks move past it (a run still in progress then is stuck: it does neither). */
    closeDay: (charters: readonly CountedCharter[], dayStart: number, spent: bigint, now: number, usage?: DayUsage | null) => closeDay(state, charters, dayStart, spent, now, usage),
    /** The closed days the keeper holds, oldest first: what the archive takes (worker/archive.ts). */
    closedDays(): Array<{ date: string; spent: bigint; counts: ReadonlyMap<string, DayCounts> }> {
      return [...state.days].sort(([a], [b]) => a.localeCompare(b)).map(([date, day]) => ({ date, spent: day.spent, counts: day.charters }));
    },
    /** Marks the history current after a rebuild. */
    finish(now: number) {
      state.lastUpdate = now;
    },
    /** false until rebuilt, and again after a gap the tick's window cannot cover */
    ready(now: number): boolean {
      const { closedThrough, lastUpdate } = state;
      return closedThrough !== null && now - lastUpdate < maxGapMs && closedThrough >= closeLimit(state, now) - dayMs;
    },
    /** Where the tick must read runs and spend from: the window, or the start of the oldest open day. */
    runsFrom(now: number): number {
      return Math.min(now - dayMs, state.closedThrough ?? closeLimit(state, now));
    },
    /** The days the tick's rows now hold whole and that close now (see mayWait), oldest first: their usage is read before they close. */
    closingDays: (now: number, charters: readonly CountedCharter[]): number[] => closingDays(state, now, charters),
    /** Closes the closing days, each with what it spent and its usage (by day start), and forgets what left the 90 days. */
    closeDays: (now: number, charters: readonly CountedCharter[], spendByHour: ReadonlyMap<number, bigint>, usage: ReadonlyMap<number, DayUsage | null>) =>
      closeDays(state, now, charters, spendByHour, usage),
    /**
     * Counts the open days, their streaks moved up to countedUntil (the rule of runs24h: an incident
     * opens and resolves when the charter's state says so), and returns the history file's content
     * and the incidents still open.
     */
    count: (now: number, charters: readonly CountedCharter[], spendByHour: ReadonlyMap<number, bigint>) => count(state, now, charters, spendByHour),
    /** Moves the system's incidents to this tick's conditions (shared/incidents.ts); returns them, newest first. */
    observeStatus(now: number, holding: ReadonlySet<StatusIncidentCode>): StatusIncident[] {
      state.statusIncidents = advanceStatusIncidents(state.statusIncidents, holding, now, horizonOf(now));
      return state.statusIncidents;
    },
    /** Forgets everything, the recalled incidents too: the next tick rebuilds (a replica that leads anew). */
    reset() {
      Object.assign(state, emptyState());
    },
  };
}


function recall(state: KeeperState, published: Recalled) {
  for (const incident of published.incidents) if (!state.announced.has(incident.id)) state.announced.set(incident.id, incident);
  if (published.announcedAt && state.announced.size > 0) state.announcedAt = Math.max(state.announcedAt, Date.parse(published.announcedAt));
  const known = new Set(state.statusIncidents.map((incident) => incident.id));
  state.statusIncidents = [...state.statusIncidents, ...(published.statusIncidents ?? []).filter((incident) => !known.has(incident.id))];
}

/** What was announced (recalled just before, at start) stays: the rebuild must not take it back. */
function begin(state: KeeperState, horizon: number, openedAt: ReadonlyMap<string, number>) {
  state.days = new Map();
  state.resolved = [];
  state.tracks = new Map([...openedAt].map(([id, at]) => [id, { ...noStreak, openedAt: at }]));
  state.closedThrough = horizon;
  state.lastUpdate = Number.NEGATIVE_INFINITY; // not ready until the rebuild finishes
}

/** What the hours in [from, to) spent, from the tick's spend by hour. */
const spentBetween = (spendByHour: ReadonlyMap<number, bigint>) => (from: number, to: number) =>
  [...spendByHour].reduce((sum, [hour, credits]) => (hour >= from && hour < to ? sum + credits : sum), 0n);

/** The end of the closed days: a tick cannot count before the rebuild has closed them. */
function closedThrough(state: KeeperState): number {
  if (state.closedThrough === null) throw new Error('history read before it was rebuilt');
  return state.closedThrough;
}

/** See closingDays() above: from the first open day, each whose grace has passed, unless it may wait. */
function closingDays(state: KeeperState, now: number, charters: readonly CountedCharter[]): number[] {
  const days: number[] = [];
  for (let dayStart = closedThrough(state); dayStart + dayMs + state.rules.graceMs <= now && !mayWait(state, charters, dayStart, now); dayStart += dayMs) days.push(dayStart);
  return days;
}

/** See closeDays() above. */
function closeDays(state: KeeperState, now: number, charters: readonly CountedCharter[], spendByHour: ReadonlyMap<number, bigint>, usage: ReadonlyMap<number, DayUsage | null>) {
  const spent = spentBetween(spendByHour);
  for (const dayStart of closingDays(state, now, charters)) closeDay(state, charters, dayStart, spent(dayStart, dayStart + dayMs), now, usage.get(dayStart));
  const horizon = horizonOf(now);
  for (const date of state.days.keys()) if (date < utcDate(horizon)) state.days.delete(date);
  state.resolved = withinHorizon(state.resolved, state.announced, horizon);
  state.lastUpdate = now;
}

/** See count() above. */
function count(state: KeeperState, now: number, charters: readonly CountedCharter[], spendByHour: ReadonlyMap<number, bigint>) {
  const horizon = horizonOf(now);
  const live = walkOpenDays(state, closedThrough(state), now, charters, spentBetween(spendByHour));
  const openStreaks = charters.flatMap((charter) => {
    const track = live.tracks.get(charter.id);
    return track?.streak ? [{ track, incident: toIncident(charter.id, track.streak, null) }] : [];
  });
  const stillOpen = openStreaks.filter(({ track, incident }) => openStreakIsIncident(track, now, state.rules) || state.announced.has(incident.id)).map(({ incident }) => incident);
  const derived = [...state.resolved, ...live.resolved, ...stillOpen];
  // an announced incident whose first fire a late row answered goes on as the charter's open streak, a
  // blip too; one whose charter no longer exists closes as removed
  const going = { streaks: openStreaks.map(({ incident }) => incident), announcedAt: state.announcedAt, charters: new Set(charters.map((charter) => charter.id)) };
  const incidents = withinHorizon(keepAnnounced(derived, state.announced.values(), now, going), state.announced, horizon);
  state.announced = new Map(incidents.map((incident) => [incident.id, incident]));
  state.announcedAt = now;
  const dayList = [...state.days].map(([date, day]) => ({ date, ...day })).concat(live.days);
  const open = charters.flatMap((charter) => incidents.filter((incident) => incident.charterId === charter.id && incident.resolvedAt === null));
  return historyContent(now, charters, dayList, incidents, open);
}

/**
 * Counts the open days, from `from`, afresh from the tick's rows, up to countedUntil; their streaks move on
 * copies of the closed tracks, which stay as they are for the next tick.
 */
function walkOpenDays(state: KeeperState, from: number, now: number, charters: readonly CountedCharter[], spentBetween: (from: number, to: number) => bigint) {
  const knownUntil = (charter: CountedCharter) => countedUntil(now, state.rules.graceMs, charter.runs);
  const isSettled = (run: RunRecord) => isStuck(run, now, state.rules);
  let tracks: ReadonlyMap<string, Track> = state.tracks;
  const days: Array<{ date: string; spent: bigint; charters: Map<string, DayCounts> }> = [];
  const resolved: Incident[] = [];
  for (let dayStart = from; dayStart <= now; dayStart += dayMs) {
    const walked = walk(state, charters, dayStart, now, tracks, knownUntil, isSettled);
    tracks = walked.tracks;
    resolved.push(...walked.resolved);
    days.push({ date: utcDate(dayStart), spent: spentBetween(dayStart, dayStart + dayMs), charters: walked.counts });
  }
  return { tracks, days, resolved };
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
