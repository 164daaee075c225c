// The use case, one tick: read the tick's facts at one instant (the history's 90 days first, when
// they are not known yet), remember what is costly to find again, judge each charter against its
// schedule, count the history, compose the snapshot, fit the history to its bounds, validate.
// Dependencies arrive as ports; each step is one call into the module that owns it.
import { limits, type GovernanceStatus } from '../shared/contract.ts';
import type { StateRules } from '../shared/charter-state.ts';
import { forecastHorizonMs } from '../shared/forecast.ts';
import type { Clock, GovernanceQuery, GovernanceStatusPort, Logger, SnapshotStorePort } from '../shared/ports.ts';
import { composeSnapshot, mostSevereFirst } from './compose-snapshot.ts';
import { createHistoryKeeper } from './history-keeper.ts';
import { createHistoryRebuild } from './history-rebuild.ts';
import { cleanCharterRows, groupRuns, judgeCharters } from './judge-charters.ts';
import { createMemory } from './memory.ts';
import { createFilePublisher, type PublishResult, type PublishSettings } from './publish.ts';
import { createHistoryFile, type HistoryFile } from './side-files.ts';
import { assertSnapshotIsValid, SnapshotError } from './validate.ts';
import { clockSkewMs, databaseTimeAt, skewProblem } from '../shared/clock.ts';

const hourMs = 60 * 60 * 1000;
const dayMs = 24 * hourMs;

export type SnapshotSettings = {
  principalId: string;
  billingAccountId: string;
  /** generatedAt + staleAfterMs = staleAfter (3 x the interval between two snapshots) */
  staleAfterMs: (now: Date) => number;
  rules: StateRules;
  /** a worker whose clock is further than this from the database's publishes nothing (shared/clock.ts); 5 minutes by default */
  clockSkewLimitMs?: number;
};

export const defaultClockSkewLimitMs = 300_000;

export const defaultRules: StateRules = { graceMs: 600_000, stuckAfterMs: 3_600_000, recoveringMs: 3_600_000 };

export type SnapshotDeps = {
  source: GovernanceStatusPort;
  store: SnapshotStorePort;
  clock: Clock;
  logger: Logger;
};

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
export type BuiltSnapshot = { snapshot: GovernanceStatus; skewMs: number } & HistoryFile;

/** One tick after another, with what the worker remembers between them. */
export function createSnapshotBuilder(source: GovernanceStatusPort, settings: SnapshotSettings, logger: Logger) {
  const { rules } = settings;
  const memory = createMemory(rules);
  const keeper = createHistoryKeeper(rules);
  const rebuild = createHistoryRebuild({ source, keeper, memory, principalId: settings.principalId, billingAccountId: settings.billingAccountId, graceMs: rules.graceMs });
  const historyFile = createHistoryFile(logger);
  /** the worker's clock minus the database's, as last measured (0 until then) */
  let skewMs = 0;

  /** The history's 90 days, read once when they are not known (at start, after a gap, after a reset). */
  async function rebuildIfDue(workerNow: Date, signal?: AbortSignal) {
    if (keeper.ready(databaseTimeAt(workerNow.getTime(), skewMs))) return;
    const started = performance.now();
    const clock = await source.readClock({ principalId: settings.principalId, workerNow });
    await rebuild.run(clock.dataAsOf.getTime(), signal);
    logger.info('history_rebuilt', { days: limits.historyDays, durationMs: Math.round(performance.now() - started) });
  }

  return {
    /**
     * One tick. `workerNow` is the worker's clock when the tick began: the tick's instant is the
     * database's (shared/clock.ts), and a worker whose clock is too far off it refuses to go on.
     */
    async build(workerNow: Date, signal?: AbortSignal): Promise<BuiltSnapshot> {
      const started = performance.now();
      await rebuildIfDue(workerNow, signal);
      const readAt = performance.now();
      const facts = await source.readTick({
        principalId: settings.principalId,
        workerNow,
        plan: (clock) => queryFor(clock.dataAsOf, settings, keeper.runsFrom(clock.dataAsOf.getTime())),
      });
      signal?.throwIfAborted();
      const now = facts.clock.now.getTime();
      const asOf = facts.clock.dataAsOf.getTime();
      skewMs = clockSkewMs(now, workerNow.getTime() + (readAt - started));
      const problem = skewProblem(skewMs, settings.clockSkewLimitMs ?? defaultClockSkewLimitMs);
      if (problem) throw new SnapshotError(`not published: ${problem}`);

      const runsBySchedule = groupRuns(facts.runs);
      memory.see(runsBySchedule);
      const charters = judgeCharters({
        now: asOf,
        upcomingAfter: now,
        runsFrom: facts.query.runsFrom.getTime(),
        horizonMs: forecastHorizonMs,
        rules,
        rows: cleanCharterRows(facts.schedules, asOf),
        runsBySchedule,
        earlier: new Map(facts.earlier.map((earlier) => [earlier.scheduleId, earlier])),
        memory,
      });
      memory.keepOnly(new Set(charters.map((charter) => charter.scheduleId)));
      const spend = new Map(facts.spendByHour.map((hour) => [hour.hourStart.getTime(), hour.credits]));
      const { content, open } = keeper.update(asOf, charters, spend);
      const staleAfter = new Date(now + settings.staleAfterMs(facts.clock.now));
      const snapshot = assertSnapshotIsValid(composeSnapshot({ facts, clock: { now, dataAsOf: asOf }, staleAfter, views: charters, rules, openIncidents: open }));
      // the history leaves out the least severe charters when it must, as the snapshot does
      return { snapshot, skewMs, ...historyFile.fit(content, mostSevereFirst(charters).map((charter) => charter.id), snapshot.generatedAt) };
    },
    /** Forgets everything remembered: the next build reads the earlier facts and the 90 days again. */
    reset() {
      memory.reset();
      keeper.reset();
      rebuild.reset();
      historyFile.reset();
    },
  };
}

export type SnapshotBuilder = ReturnType<typeof createSnapshotBuilder>;

/** One `now` for the whole snapshot; read in one transaction; validated before anyone sees it. */
export async function buildSnapshot(source: GovernanceStatusPort, settings: SnapshotSettings, now: Date, logger: Logger): Promise<GovernanceStatus> {
  return (await createSnapshotBuilder(source, settings, logger).build(now)).snapshot;
}

/** Builds a snapshot and publishes it with the files beside it (worker/publish.ts). A failure at any
 *  step throws before or without touching what the store already holds. */
export function createPublisher(deps: SnapshotDeps, settings: SnapshotSettings, publishing: PublishSettings = { feeds: null }) {
  const builder = createSnapshotBuilder(deps.source, settings, deps.logger);
  const files = createFilePublisher(deps.store, publishing, deps.logger);
  const publish = async function publishSnapshot(signal?: AbortSignal): Promise<PublishResult & { skewMs: number }> {
    const built = await builder.build(deps.clock(), signal);
    signal?.throwIfAborted();
    return { ...(await files.publish(built, signal)), skewMs: built.skewMs };
  };
  return Object.assign(publish, { reset: () => builder.reset() });
}
