// The use case, one tick: read the tick's facts at one instant (the history's 90 days first, when
// they are not known yet), remember what is costly to find again, judge each charter against its
// schedule, count the history, compose the snapshot, follow the system's own incidents, fit the
// history to its bounds, validate.
// Dependencies arrive as ports; each step is one call into the module that owns it.
import { historyFileName, limits, type GovernanceStatus } from '../shared/contract.ts';
import { forecastHorizonMs } from '../shared/forecast.ts';
import { statusConditions } from '../shared/incidents.ts';
import type { Clock, GovernanceQuery, GovernanceStatusPort, Logger, SnapshotStorePort } from '../shared/ports.ts';
import { composeSnapshot, mostSevereFirst, withStatusIncidents, type SnapshotRules } from './compose-snapshot.ts';
import { createHistoryKeeper } from './history-keeper.ts';
import { createHistoryRebuild } from './history-rebuild.ts';
import { cleanCharterRows, groupRuns, judgeCharters } from './judge-charters.ts';
import { createMemory } from './memory.ts';
import { createHistoryFile, parsePublishedHistory, publishSideFiles, type HistoryFile, type SideFileSettings } from './side-files.ts';
import { assertSnapshotIsValid, assertWithinBound, serializeSnapshot } from './validate.ts';

const hourMs = 60 * 60 * 1000;
const dayMs = 24 * hourMs;

export type SnapshotSettings = {
  principalId: string;
  billingAccountId: string;
  /** generatedAt + staleAfterMs = staleAfter (3 x the interval between two snapshots) */
  staleAfterMs: (now: Date) => number;
  rules: SnapshotRules;
};

export const defaultRules: SnapshotRules = { graceMs: 600_000, stuckAfterMs: 3_600_000, recoveringMs: 3_600_000, incidentAfterRuns: 2, incidentAfterMs: 3_600_000 };

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

/** The snapshot, and the history file as published (its body serialised once, when it changes). */
export type BuiltSnapshot = { snapshot: GovernanceStatus } & HistoryFile;

/**
 * One tick after another, with what the worker remembers between them. `published` reads the history
 * file as the store holds it, when the worker starts or leads anew: what it announced stays announced.
 */
export function createSnapshotBuilder(source: GovernanceStatusPort, settings: SnapshotSettings, logger: Logger, published?: (signal?: AbortSignal) => Promise<string | null>) {
  const { rules } = settings;
  const memory = createMemory(rules);
  const keeper = createHistoryKeeper(rules);
  const readPublished = published && (async (signal?: AbortSignal) => parsePublishedHistory(await published(signal), logger));
  const rebuild = createHistoryRebuild({ source, keeper, memory, principalId: settings.principalId, billingAccountId: settings.billingAccountId, graceMs: rules.graceMs, readPublished });
  const historyFile = createHistoryFile(logger);

  return {
    async build(now: Date, signal?: AbortSignal): Promise<BuiltSnapshot> {
      const at = now.getTime();
      if (!keeper.ready(at)) {
        const started = performance.now();
        await rebuild.run(at, signal);
        logger.info('history_rebuilt', { days: limits.historyDays, durationMs: Math.round(performance.now() - started) });
      }
      const query = queryFor(now, settings, keeper.runsFrom(at));
      const facts = await source.readGovernanceFacts(query);
      signal?.throwIfAborted();

      const runsBySchedule = groupRuns(facts.runs);
      memory.see(runsBySchedule);
      const charters = judgeCharters({
        now: at,
        runsFrom: query.runsFrom.getTime(),
        horizonMs: forecastHorizonMs,
        rules,
        rows: cleanCharterRows(facts.schedules, at),
        runsBySchedule,
        earlier: new Map(facts.earlier.map((earlier) => [earlier.scheduleId, earlier])),
        memory,
      });
      memory.keepOnly(new Set(charters.map((charter) => charter.scheduleId)));
      const spend = new Map(facts.spendByHour.map((hour) => [hour.hourStart.getTime(), hour.credits]));
      const { content, open } = keeper.update(at, charters, spend);
      const staleAfter = new Date(at + settings.staleAfterMs(now));
      const composed = composeSnapshot({ facts, query, staleAfter, views: charters, rules, openIncidents: open });
      const states = charters.map((charter) => ({ id: charter.id, enabled: charter.enabled, state: charter.judgement.state }));
      const statusIncidents = keeper.observeStatus(at, statusConditions(composed.reasons, states, new Set(open.map((incident) => incident.charterId))));
      const snapshot = assertSnapshotIsValid(withStatusIncidents(composed, statusIncidents));
      // the history leaves out the least severe charters when it must, as the snapshot does
      return { snapshot, ...historyFile.fit({ ...content, statusIncidents }, mostSevereFirst(charters).map((charter) => charter.id), snapshot.generatedAt) };
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

export type PublishResult = { snapshot: GovernanceStatus; bytes: number; written: string[] };

/** Builds a snapshot and writes it, then the files beside it. A failure at any step throws before
 *  or without touching what the store already holds. */
export function createPublisher(deps: SnapshotDeps, settings: SnapshotSettings, sideFiles: SideFileSettings = { feeds: null }) {
  const builder = createSnapshotBuilder(deps.source, settings, deps.logger, (signal) => deps.store.get(historyFileName, signal));
  const publish = async function publishSnapshot(signal?: AbortSignal): Promise<PublishResult> {
    const built = await builder.build(deps.clock(), signal);
    signal?.throwIfAborted();
    const body = serializeSnapshot(built.snapshot);
    const bytes = assertWithinBound(deps.store.snapshotName, body, limits.snapshotBytes);
    await deps.store.put(deps.store.snapshotName, body, signal);
    const written = await publishSideFiles(deps.store, built, sideFiles, signal);
    return { snapshot: built.snapshot, bytes, written: [deps.store.snapshotName, ...written] };
  };
  return Object.assign(publish, { reset: () => builder.reset() });
}
