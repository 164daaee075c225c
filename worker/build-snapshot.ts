// The use case: read the tick's facts at one instant, judge them with what the worker remembers,
// validate, publish the snapshot and the files beside it. Dependencies arrive as ports.
import * as z from 'zod/mini';
import { governanceHistorySchema, governanceStatusSchema, limits, type GovernanceHistory, type GovernanceStatus } from '../shared/contract.ts';
import type { RunRecord, StateRules } from '../shared/charter-state.ts';
import { fireAfter, firesBetween } from '../shared/schedule.ts';
import { startOfUtcDay } from '../shared/history.ts';
import type { Clock, GovernanceQuery, GovernanceStatusPort, Logger, SnapshotStorePort } from '../shared/ports.ts';
import { createCharterMemory } from './charter-memory.ts';
import { charterBasics, composeSnapshot, mostSevereFirst, slotsOf, toRunRecord, viewCharters, type CharterBasics } from './compose-snapshot.ts';
import { createFireCache, maxCachedFires, type FireSpan } from './fire-cache.ts';
import { createHistoryKeeper, type HistoryCharter } from './history-keeper.ts';
import { fitHistory, publishSideFiles, type SideFileSettings } from './side-files.ts';

const hourMs = 60 * 60 * 1000;
const dayMs = 24 * hourMs;

export type SnapshotSettings = {
  principalId: string;
  billingAccountId: string;
  /** generatedAt + staleAfterMs = staleAfter (3 x the interval between two snapshots) */
  staleAfterMs: (now: Date) => number;
  rules: StateRules;
};

export const defaultRules: StateRules = { graceMs: 600_000, stuckAfterMs: 3_600_000, recoveringMs: 3_600_000 };

export type SnapshotDeps = {
  source: GovernanceStatusPort;
  store: SnapshotStorePort;
  clock: Clock;
  logger: Logger;
};

/** The one error type of the worker: a message that says what went wrong, and its cause. */
export class SnapshotError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SnapshotError';
  }
}

/** Every window of one tick, from its one `now`; runs (and spend) from `runsFrom` when a day waits to close. */
export function queryFor(now: Date, settings: Pick<SnapshotSettings, 'principalId' | 'billingAccountId'>, runsFrom = now.getTime() - dayMs): GovernanceQuery {
  const currentHour = Math.floor(now.getTime() / hourMs) * hourMs;
  return {
    now,
    principalId: settings.principalId,
    billingAccountId: settings.billingAccountId,
    spendFrom: new Date(now.getTime() - dayMs),
    hoursFrom: new Date(currentHour - (limits.spendHours - 1) * hourMs),
    spendHoursFrom: new Date(Math.floor(Math.min(runsFrom, now.getTime() - dayMs) / hourMs) * hourMs),
    runsFrom: new Date(runsFrom),
    failedFrom: new Date(now.getTime() - dayMs),
    failedLimit: limits.failedRuns,
    threadsLimit: limits.recentRuns,
  };
}

function problemsOf(result: { error?: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } }): string {
  return (result.error?.issues ?? []).map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/** Throws a SnapshotError naming every field that breaks the contract; returns the parsed snapshot. */
export function assertSnapshotIsValid(snapshot: unknown): GovernanceStatus {
  const result = z.safeParse(governanceStatusSchema, snapshot);
  if (result.success) return result.data;
  throw new SnapshotError(`snapshot breaks the contract: ${problemsOf(result)}`);
}

export function assertHistoryIsValid(history: unknown): GovernanceHistory {
  const result = z.safeParse(governanceHistorySchema, history);
  if (result.success) return result.data;
  throw new SnapshotError(`history breaks the contract: ${problemsOf(result)}`);
}

export function serializeSnapshot(snapshot: GovernanceStatus | GovernanceHistory): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

/** A public file over its bound is never written: the bound is part of the contract. */
export function assertWithinBound(name: string, body: string, maxBytes: number): number {
  const bytes = Buffer.byteLength(body);
  if (bytes > maxBytes) throw new SnapshotError(`${name} would be ${bytes} bytes, over its bound of ${maxBytes}: not written`);
  return bytes;
}

function groupRuns(runs: ReadonlyArray<Parameters<typeof toRunRecord>[0]>): Map<string, RunRecord[]> {
  const grouped = new Map<string, RunRecord[]>();
  for (const run of runs) {
    const record = toRunRecord(run);
    if (record === null) continue;
    const list = grouped.get(run.scheduleId) ?? [];
    list.push(record);
    grouped.set(run.scheduleId, list);
  }
  return grouped;
}

/** A paused charter with a cron that parses was due by it up to this slot (its latest run before the pause); else null. */
const pausedAfterOf = (charter: CharterBasics) => (!charter.enabled && charter.scheduleError === null ? charter.lastSlotBeforeChange : null);

/**
 * What the history needs of a charter: its fires, its rows. An enabled charter is due by its cron;
 * a paused one by its cron up to its latest run before it was paused (after that, nothing is due),
 * so pausing a charter does not erase an outage it had before; a charter whose cron or time zone
 * does not parse, by its runs' own slots.
 */
function historyCharter(charter: CharterBasics, runs: readonly RunRecord[], fires: (from: number, to: number) => readonly number[]): HistoryCharter {
  const pausedAfter = pausedAfterOf(charter);
  const byCron = charter.usable || pausedAfter !== null;
  const slots = (from: number, to: number) => slotsOf(runs).filter((slot) => slot >= from && slot < to);
  return {
    scheduleId: charter.scheduleId,
    id: charter.id,
    name: charter.name,
    changedAt: byCron ? charter.changedAt : null,
    followedThrough: byCron ? charter.followedThrough : null,
    runs,
    fires: charter.usable
      ? fires
      : pausedAfter !== null
        ? (from, to) => [...new Set([...fires(from, Math.min(to, pausedAfter + 1)), ...slots(from, to)])].sort((a, b) => a - b)
        : slots,
    nextFireAfter: (at) => (byCron ? fireAfter(charter.rawCron, charter.rawTimezone, at) : null),
  };
}

export type BuiltSnapshot = { snapshot: GovernanceStatus; history: GovernanceHistory };

/**
 * The worker's state between ticks: the charters' earlier facts, the schedules' fires and the
 * history. A restarted worker, or one that leads again after a pause, rebuilds them once.
 */
export function createSnapshotBuilder(source: GovernanceStatusPort, settings: SnapshotSettings, logger: Logger) {
  const memory = createCharterMemory();
  const cache = createFireCache();
  const { rules } = settings;
  let lastHistory: { key: string; history: GovernanceHistory } | null = null;
  // While rebuilding, each distinct schedule's fires of the 90 days are computed once for all its
  // charters and days (many charters share a cron), then dropped: the cache keeps only the window.
  let pastFires = new Map<string, FireSpan>();
  let pastBasics: { key: string; basics: CharterBasics[] } | null = null;
  const firesOfPast = (cron: string, timezone: string, now: number) => (from: number, to: number) => {
    const key = `${timezone}\u0000${cron}`;
    let span = pastFires.get(key);
    if (!span) {
      const start = startOfUtcDay(now) - limits.historyDays * dayMs;
      span = { fires: firesBetween(cron, timezone, start, now, maxCachedFires * 3), coveredTo: now };
      pastFires.set(key, span);
    }
    return span.fires.filter((fire) => fire >= from && fire < to);
  };

  const keeper = createHistoryKeeper({
    source,
    memory,
    principalId: settings.principalId,
    billingAccountId: settings.billingAccountId,
    rules,
    toRun: (run) => toRunRecord(run),
    // Each day's read returns the same charters: clean them (cronstrue, cron and time-zone parsing)
    // once per rebuild, not once per charter and day.
    chartersOf: (schedules, runs, now) => {
      const key = JSON.stringify(schedules);
      if (pastBasics?.key !== key) pastBasics = { key, basics: charterBasics(schedules, now, rules.graceMs) };
      return pastBasics.basics.map((charter) =>
        historyCharter(charter, runs.get(charter.scheduleId) ?? [], firesOfPast(charter.rawCron, charter.rawTimezone, now)),
      );
    },
  });

  /** how many charters the history listed when it was last trimmed to its bound (logged once per change) */
  let lastTrimmedTo: number | null = null;

  return {
    async build(now: Date, signal?: AbortSignal): Promise<BuiltSnapshot> {
      const at = now.getTime();
      let runsFrom = keeper.runsFrom(at);
      let query = queryFor(now, settings, runsFrom);
      let facts = await source.readGovernanceFacts(query);
      signal?.throwIfAborted();
      if (!keeper.ready(at)) {
        const started = performance.now();
        try {
          await keeper.rebuild(at, at - dayMs, signal);
        } finally {
          pastFires = new Map();
          pastBasics = null;
        }
        logger.info('history_rebuilt', { days: limits.historyDays, durationMs: Math.round(performance.now() - started) });
        // A day left open by the rebuild (one of its runs still in progress) is counted from this
        // tick's rows: they must reach back to its start, as they will on every later tick.
        if (keeper.runsFrom(at) < runsFrom) {
          runsFrom = keeper.runsFrom(at);
          query = queryFor(now, settings, runsFrom);
          facts = await source.readGovernanceFacts(query);
          signal?.throwIfAborted();
        }
      }

      const runsBySchedule = groupRuns(facts.runs);
      memory.advance(at - dayMs, runsBySchedule, new Set(facts.schedules.map((schedule) => schedule.scheduleId)));
      const views = viewCharters(charterBasics(facts.schedules, at, rules.graceMs), runsBySchedule, { now: at, runsFrom, rules, earlier: memory.earlier, fires: cache.span });
      cache.sweep();
      const spend = new Map(facts.spendByHour.map((hour) => [hour.hourStart.getTime(), hour.credits]));
      const { history: content, openIncidents } = keeper.update(
        at,
        views.map((view) => {
          // a charter paused within the window is due by its cron up to its last run (historyCharter)
          const pausedRecently = (pausedAfterOf(view) ?? Number.NEGATIVE_INFINITY) >= runsFrom;
          const fires = view.usable ? view.span.fires : pausedRecently ? cache.span(view.rawCron, view.rawTimezone, runsFrom, at + 1).fires : [];
          return historyCharter(view, view.runs, (from, to) => fires.filter((fire) => fire >= from && fire < to));
        }),
        spend,
      );

      const staleAfter = new Date(at + settings.staleAfterMs(now));
      const snapshot = assertSnapshotIsValid(composeSnapshot({ facts, query, staleAfter, views, rules, openIncidents }));
      // generatedAt of the history moves only when its content does, so an unchanged file stays
      // byte-identical and readers revalidating with an ETag get a 304.
      // the history leaves out the least severe when it must, as the snapshot does
      const { content: fitted, json: key } = fitHistory(content, mostSevereFirst(views).map((view) => view.id));
      if (fitted.charters.length < content.charters.length && fitted.charters.length !== lastTrimmedTo) {
        logger.warn('history_trimmed', { charters: content.charters.length, listed: fitted.charters.length, boundBytes: limits.historyBytes });
      }
      lastTrimmedTo = fitted.charters.length < content.charters.length ? fitted.charters.length : null;
      if (lastHistory?.key !== key) lastHistory = { key, history: assertHistoryIsValid({ ...fitted, generatedAt: snapshot.generatedAt }) };
      return { snapshot, history: lastHistory.history };
    },
    /** Forgets everything remembered: the next build reads the earlier facts and the 90 days again. */
    reset() {
      memory.reset();
      keeper.reset();
      lastHistory = null;
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
  const builder = createSnapshotBuilder(deps.source, settings, deps.logger);
  const publish = async function publishSnapshot(signal?: AbortSignal): Promise<PublishResult> {
    const { snapshot, history } = await builder.build(deps.clock(), signal);
    signal?.throwIfAborted();
    const body = serializeSnapshot(snapshot);
    const bytes = assertWithinBound(deps.store.snapshotName, body, limits.snapshotBytes);
    await deps.store.put(deps.store.snapshotName, body, signal);
    const written = await publishSideFiles(deps.store, { snapshot, history }, sideFiles, signal);
    return { snapshot, bytes, written: [deps.store.snapshotName, ...written] };
  };
  return Object.assign(publish, { reset: () => builder.reset() });
}
