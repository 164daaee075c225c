// The use case, one tick: read the tick's facts at one instant (the history's 90 days first, when
// they are not known yet), remember what is costly to find again, judge each charter against its
// schedule, count the history, compose the snapshot with the system's own incidents and validate it,
// fit the history to its bounds (validated when it changes).
// Dependencies arrive as ports; each step is one call into the module that owns it.
import { limits, type GovernanceStatus } from '../shared/contract.ts';
import { forecastHorizonMs } from '../shared/forecast.ts';
import { statusConditions, withStatusIncidents, type Recalled } from '../shared/incidents.ts';
import type { GovernanceQuery, GovernanceStatusPort, Logger, RunFacts, TickFacts } from '../shared/ports.ts';
import { composeSnapshot, mostSevereFirst, type SnapshotRules } from './compose-snapshot.ts';
import { createHistoryKeeper } from './history-keeper.ts';
import { createHistoryRebuild } from './history-rebuild.ts';
import { cleanCharterRows, groupRuns, judgeCharters, type JudgedCharter } from './judge-charters.ts';
import type { ArchiveRecord, ArchiveWork } from './record.ts';
import { createUsageMemory } from './usage-memory.ts';
import { mergeArchivedDays } from '../shared/archive-history.ts';
import type { ArchiveDay } from '../shared/archive-contract.ts';
import { dayUsageOf, usageRunsOf, type WindowUsage } from '../shared/usage.ts';
import type { DayUsage } from '../shared/usage-contract.ts';
import { dayMs, startOfUtcDay } from '../shared/history.ts';
import { createMemory } from './memory.ts';
import { createHistoryFile, type HistoryContent, type HistoryFile } from './side-files.ts';
import { assertSnapshotIsValid, serializeSnapshot, SnapshotError } from './validate.ts';
import { clockSkewMs, databaseTimeAt, dataSince, lastPosition, skewProblem, type DataPosition } from '../shared/clock.ts';

const hourMs = 60 * 60 * 1000;

export type SnapshotSettings = {
  principalId: string;
  billingAccountId: string;
  /**
   * generatedAt + staleAfterMs = staleAfter (3 x the interval between two snapshots), given the
   * worker's clock at the tick's read: the clock that fired the tick and fires the next one, so a
   * database's clock a little off it cannot put the tick in another interval of the schedule
   */
  staleAfterMs: (workerAt: Date) => number;
  rules: SnapshotRules;
  /** a worker whose clock is further than this from the database's publishes nothing (shared/clock.ts); 5 minutes by default */
  clockSkewLimitMs?: number;
  /** the incident feeds' public URLs, named in the snapshot; none by default */
  feeds?: GovernanceStatus['feeds'];
};

export const defaultClockSkewLimitMs = 300_000;

export const defaultRules: SnapshotRules = { graceMs: 600_000, stuckAfterMs: 3_600_000, recoveringMs: 3_600_000, incidentAfterRuns: 2, incidentAfterMs: 3_600_000 };

/** Every window of one tick, from its one `now`; runs (and spend) from `runsFrom` when a day waits to close. */
export function queryFor(now: Date, settings: Pick<SnapshotSettings, 'principalId' | 'billingAccountId'>, runsFrom = now.getTime() - dayMs): GovernanceQuery {
  const currentHour = Math.floor(now.getTime() / hourMs) * hourMs;
  const windowStart = new Date(now.getTime() - dayMs);
  return {
    now,
    principalId: settings.principalId,
    billingAccountId: settings.billingAccountId,
    spendFrom: windowStart,
    hoursFrom: new Date(currentHour - (limits.spendHours - 1) * hourMs),
    spendHoursFrom: new Date(Math.floor(Math.min(runsFrom, now.getTime() - dayMs) / hourMs) * hourMs),
    runsFrom: new Date(runsFrom),
    windowStart,
    failedFrom: windowStart,
    failedLimit: limits.failedRuns,
    threadsLimit: limits.recentRuns,
  };
}

/** The snapshot, the history file as published (its body serialised once, when it changes), and the worker's clock skew. */
export type BuiltSnapshot = { snapshot: GovernanceStatus; snapshotBody: string; skewMs: number; toArchive: ArchiveWork } & HistoryFile;

/** What one builder keeps between ticks, besides what it was given; it lives as long as the process (or the leadership: reset()). */
type BuilderState = {
  source: GovernanceStatusPort;
  settings: SnapshotSettings;
  logger: Logger;
  /** archives closed days and holds the archived figures the history must show; none with --stdout */
  record: ArchiveRecord | undefined;
  /** each charter's facts that are costly to find again (its latest success): worker/memory.ts */
  memory: ReturnType<typeof createMemory>;
  /** the window's receipts by minute, so a tick reads only the minutes it does not know: worker/usage-memory.ts */
  usage: ReturnType<typeof createUsageMemory>;
  /** the 90 days and their incidents, closed day by day; what it announced stays announced */
  keeper: ReturnType<typeof createHistoryKeeper>;
  /** the keeper's 90 days read again when it is not ready; a rebuild cut short goes on at the next tick */
  rebuild: ReturnType<typeof createHistoryRebuild>;
  /** the history file as last fitted and serialised: its body is built again only when it changes */
  historyFile: ReturnType<typeof createHistoryFile>;
  /** the worker's clock minus the database's, as last measured (0 until then): whether a rebuild is due is judged by the database's clock */
  skewMs: number;
  /** where the last tick's data stood: the next is as of it at least, or publishes nothing (shared/clock.ts dataSince) */
  lastData: DataPosition | null;
  /** the published snapshot's dataAsOf, read before the first tick of a process or a leadership (undefined: not yet), forgotten (null) once this builder's own is written over it */
  publishedAsOf: number | null | undefined;
  readPublishedAsOf: ((signal?: AbortSignal) => Promise<number | null>) | undefined;
};

/**
 * One tick after another, with what the worker remembers between them. `record` archives closed days;
 * `announced` reads what the published files announced (side-files.ts announcedIn), when the worker
 * starts or leads anew: it stays announced; `publishedAsOf` reads the published snapshot's dataAsOf
 * then: the first tick's data is as of it at least. None with --stdout.
 */
export function createSnapshotBuilder(
  source: GovernanceStatusPort,
  settings: SnapshotSettings,
  logger: Logger,
  stored: { record?: ArchiveRecord; announced?: (signal?: AbortSignal) => Promise<Recalled>; publishedAsOf?: (signal?: AbortSignal) => Promise<number | null> } = {},
) {
  const { record } = stored;
  const { rules } = settings;
  const memory = createMemory(rules);
  const keeper = createHistoryKeeper(rules);
  const rebuild = createHistoryRebuild({ source, keeper, memory, principalId: settings.principalId, billingAccountId: settings.billingAccountId, graceMs: rules.graceMs, readPublished: stored.announced });
  const state: BuilderState = { source, settings, logger, record, memory, usage: createUsageMemory(), keeper, rebuild, historyFile: createHistoryFile(logger), skewMs: 0, lastData: null, publishedAsOf: undefined, readPublishedAsOf: stored.publishedAsOf };

  return {
    /**
     * One tick. `workerNow` is the worker's clock when the tick began: the tick's instant is the
     * database's (shared/clock.ts), and a worker whose clock is too far off it refuses to go on.
     */
    async build(workerNow: Date, signal?: AbortSignal): Promise<BuiltSnapshot> {
      try {
        const facts = await readAtOneInstant(state, workerNow, signal);
        const { runsBySchedule, window } = remember(state, facts);
        const charters = judge(state, facts, runsBySchedule);
        const { content, open } = await countHistory(state, facts, charters, signal);
        const { composed, statusIncidents } = compose(state, facts, charters, open, window);
        const snapshot = assertSnapshotIsValid(composed);
        const archived = (await record?.archivedWithin(content.from, content.to, signal)) ?? [];
        return { snapshot, snapshotBody: serializeSnapshot(snapshot), skewMs: state.skewMs, ...fit(state, facts, charters, { ...content, statusIncidents }, snapshot, archived) };
      } catch (error) {
        state.usage.forget(); // a failed tick may have read receipts it never folded in
        throw error;
      }
    },
    /**
     * The last snapshot built is the one at the destination now: the dataAsOf read there before the
     * first tick bounds no later one (one after the database's now, not taken then, would otherwise
     * stop a standby behind it once the clock passes it, though this worker wrote over it).
     */
    written() {
      state.publishedAsOf = null;
    },
    /** Forgets everything remembered: the next build reads the earlier facts and the 90 days again. */
    reset() {
      state.memory.reset();
      state.usage.forget();
      state.keeper.reset();
      state.rebuild.reset();
      state.historyFile.reset();
      state.record?.reset();
      state.publishedAsOf = undefined; // another leader may have published since
    },
  };
}

/** The tick's facts at the database's instant (the 90 days read first when due); refuses a worker whose clock is too far off. */
async function readAtOneInstant(state: BuilderState, workerNow: Date, signal?: AbortSignal): Promise<TickFacts> {
  const started = performance.now();
  await rebuildIfDue(state, workerNow, signal);
  if (state.publishedAsOf === undefined) state.publishedAsOf = (await state.readPublishedAsOf?.(signal)) ?? null;
  const readAt = performance.now();
  const { facts, since } = await read(state, workerNow);
  signal?.throwIfAborted();
  state.skewMs = clockSkewMs(facts.clock.now.getTime(), workerNow.getTime() + (readAt - started));
  const problem = skewProblem(state.skewMs, state.settings.clockSkewLimitMs ?? defaultClockSkewLimitMs) ?? (typeof since === 'string' ? since : null);
  if (problem) throw new SnapshotError(`not published: ${problem}`);
  state.lastData = { dataAsOf: facts.clock.dataAsOf.getTime(), lsn: facts.clock.lsn ?? null };
  return facts;
}

/** The history's 90 days, read once when they are not known (at start, after a gap, after a reset). */
async function rebuildIfDue({ source, settings, keeper, rebuild, logger, skewMs }: BuilderState, workerNow: Date, signal?: AbortSignal) {
  if (keeper.ready(databaseTimeAt(workerNow.getTime(), skewMs))) return;
  const started = performance.now();
  const clock = await source.readClock({ principalId: settings.principalId, workerNow });
  await rebuild.run(clock.dataAsOf.getTime(), signal);
  logger.info('history_rebuilt', { days: limits.historyDays, durationMs: Math.round(performance.now() - started) });
}

/** One transaction at the database's instant; the windows from its clock, its data as of the last snapshot's at least (`since`: why not). */
async function read({ source, settings, keeper, usage, lastData, publishedAsOf }: BuilderState, workerNow: Date) {
  let since = Number.NaN as number | string;
  const facts = await source.readTick({
    principalId: settings.principalId,
    workerNow,
    plan: (clock) => {
      since = dataSince({ dataAsOf: clock.dataAsOf.getTime(), lsn: clock.lsn ?? null }, lastPosition(lastData, publishedAsOf ?? null, clock.now.getTime()));
      const asOf = typeof since === 'number' ? since : clock.dataAsOf.getTime();
      const query = queryFor(new Date(asOf), settings, keeper.runsFrom(asOf));
      return { ...query, usageRanges: usage.rangesFor(asOf, query.spendFrom.getTime()) };
    },
  });
  return { facts: typeof since === 'number' ? { ...facts, clock: { ...facts.clock, dataAsOf: new Date(since) } } : facts, since };
}

/** What the tick's rows teach the memory (latest successes) and the usage (receipts): the window's usage. */
function remember({ memory, usage }: BuilderState, facts: TickFacts) {
  const runsBySchedule = groupRuns(facts.runs);
  memory.see(runsBySchedule);
  return { runsBySchedule, window: usage.apply(facts) };
}

/** Each charter judged against its schedule; the memory keeps only the charters that still exist. */
function judge({ settings, memory }: BuilderState, facts: TickFacts, runsBySchedule: ReturnType<typeof groupRuns>): JudgedCharter[] {
  const asOf = facts.clock.dataAsOf.getTime();
  const charters = judgeCharters({
    now: asOf,
    upcomingAfter: facts.clock.now.getTime(),
    runsFrom: facts.query.runsFrom.getTime(),
    horizonMs: forecastHorizonMs,
    rules: settings.rules,
    rows: cleanCharterRows(facts.schedules, asOf),
    runsBySchedule,
    earlier: new Map(facts.earlier.map((earlier) => [earlier.scheduleId, earlier])),
    memory,
  });
  memory.keepOnly(new Set(charters.map((charter) => charter.scheduleId)));
  return charters;
}

/** The history's days and incidents: what the days that close now spent is read, they close with it (a failed read closes none), then the open days are counted. */
async function countHistory(state: BuilderState, facts: TickFacts, charters: readonly JudgedCharter[], signal?: AbortSignal) {
  const asOf = facts.clock.dataAsOf.getTime();
  const spend = new Map(facts.spendByHour.map((hour) => [hour.hourStart.getTime(), hour.credits]));
  const usage = await readDayUsage(state, state.keeper.closingDays(asOf, charters), facts.runs, charters, signal);
  state.keeper.closeDays(asOf, charters, spend, usage);
  return state.keeper.count(asOf, charters, spend);
}

type Counted = Awaited<ReturnType<typeof countHistory>>;

/** What each closing day spent its credits on: one read of each, matched to that day's runs as the rebuild matches them. */
async function readDayUsage({ source, settings }: BuilderState, closing: readonly number[], runs: readonly RunFacts[], charters: readonly JudgedCharter[], signal?: AbortSignal) {
  const usage = new Map<number, DayUsage | null>();
  for (const dayStart of closing) {
    const rows = await source.readDayUsage({ principalId: settings.principalId, billingAccountId: settings.billingAccountId, from: new Date(dayStart), to: new Date(dayStart + dayMs) });
    signal?.throwIfAborted();
    const dayRuns = runs.filter((run) => startOfUtcDay(run.scheduledFor.getTime()) === dayStart);
    usage.set(dayStart, dayUsageOf(rows, usageRunsOf(dayRuns, charters), dayStart));
  }
  return usage;
}

/** The snapshot from the judged charters, with the system's own incidents (no credits, every charter down), which follow the reasons tick by tick. */
function compose({ settings, keeper, skewMs }: BuilderState, facts: TickFacts, charters: readonly JudgedCharter[], open: Counted['open'], window: WindowUsage) {
  const now = facts.clock.now.getTime();
  const asOf = facts.clock.dataAsOf.getTime();
  const staleAfter = new Date(now + settings.staleAfterMs(new Date(now + skewMs)));
  const composed = composeSnapshot({ facts, clock: { now, dataAsOf: asOf }, staleAfter, views: charters, rules: settings.rules, openIncidents: open, usage: { window, runs: usageRunsOf(facts.runs, charters) }, feeds: settings.feeds ?? null });
  const states = charters.map((charter) => ({ id: charter.id, enabled: charter.enabled, state: charter.judgement.state }));
  const statusIncidents = keeper.observeStatus(asOf, statusConditions(composed.reasons, states, new Set(open.map((incident) => incident.charterId))));
  return { composed: withStatusIncidents(composed, statusIncidents), statusIncidents };
}

/** The history file (fitted to its bound) and the closed days to archive once the snapshot is out. */
function fit({ keeper, historyFile }: BuilderState, facts: TickFacts, charters: readonly JudgedCharter[], content: HistoryContent, snapshot: GovernanceStatus, archived: readonly ArchiveDay[]) {
  const names = new Map(charters.map((charter) => [charter.id, charter.name]));
  // the days the archive holds show its figures, whatever the ledger says now (archived once a snapshot is out)
  const history = archived.length === 0 ? content : { ...content, days: mergeArchivedDays(content.days, archived, { from: content.from, to: content.to, charterIds: new Set(names.keys()) }) };
  const toArchive = { days: keeper.closedDays(), context: { now: facts.clock.now, names, incidents: content.incidents } };
  // the history leaves out the least severe charters when it must, as the snapshot does
  return { toArchive, ...historyFile.fit(history, mostSevereFirst(charters).map((charter) => charter.id), snapshot.generatedAt) };
}

export type SnapshotBuilder = ReturnType<typeof createSnapshotBuilder>;

/** One `now` for the whole snapshot; read in one transaction; validated before anyone sees it. */
export async function buildSnapshot(source: GovernanceStatusPort, settings: SnapshotSettings, now: Date, logger: Logger): Promise<GovernanceStatus> {
  return (await createSnapshotBuilder(source, settings, logger).build(now)).snapshot;
}
