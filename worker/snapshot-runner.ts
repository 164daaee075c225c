// Runs the publisher on demand: never two at once, each run bounded by a timeout, every outcome
// logged and counted (the counts feed /healthz and /metrics). A run never throws.
import type { Logger } from '../shared/ports.ts';
import type { PublishResult } from './publish.ts';
import { describeError } from './logger.ts';

/** success: written; refused: not written over a newer snapshot (another replica's); failure: an error */
export type RunOutcome = 'success' | 'refused' | 'failure' | 'skipped';

export type RunnerStats = {
  runs: Record<RunOutcome, number>;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastDurationMs: number | null;
  /** staleAfter of the last published snapshot */
  lastStaleAfter: Date | null;
  /** what a standby last read at the destination: the snapshot someone else published */
  published: { generatedAt: Date; staleAfter: Date } | null;
  /** why a standby's last read of the destination told it nothing (missing, unreadable), or null */
  destinationError: string | null;
  /** the worker's clock minus the database's, last measured (ms), or null before the first */
  skewMs: number | null;
  /** side files the last snapshot named as not written, since when */
  filesBehind: ReadonlyArray<{ name: string; since: string }>;
  /**
   * the latest snapshot of another writer a run found at the destination (publish.ts), said until the
   * staleAfter of that run's snapshot, so that two writers taking turns do not make /healthz flap
   */
  otherWriter: { generatedAt: string; until: Date } | null;
};

export type SnapshotRunnerOptions = {
  publish: (signal: AbortSignal) => Promise<PublishResult & { skewMs: number }>;
  logger: Logger;
  timeoutMs: number;
  destination: string;
  /** reads the published snapshot (a standby watches whether someone still publishes), or null if none */
  readPublished?: (signal: AbortSignal) => Promise<string | null>;
  /** told the outcome and duration of every run this replica ran (the metrics' histogram) */
  onRun?: (outcome: Exclude<RunOutcome, 'skipped'>, durationMs: number) => void;
};

/** generatedAt and staleAfter of a published snapshot's text, or a reason why it has none. */
export function freshnessOf(body: string | null): { generatedAt: Date; staleAfter: Date } | string {
  if (body === null) return 'nothing is published there';
  try {
    const { generatedAt, staleAfter } = JSON.parse(body) as { generatedAt?: unknown; staleAfter?: unknown };
    const times = [generatedAt, staleAfter].map((value) => (typeof value === 'string' ? new Date(value) : new Date(Number.NaN)));
    if (times.some((time) => Number.isNaN(time.getTime()))) return 'the file there has no generatedAt and staleAfter';
    return { generatedAt: times[0]!, staleAfter: times[1]! };
  } catch {
    return 'the file there is not JSON';
  }
}

/** What one runner keeps between runs, besides its options; it lives as long as the process. */
type RunnerState = SnapshotRunnerOptions & {
  /** what /healthz and /metrics read: the runner only counts into it */
  stats: RunnerStats;
  /** the publish under way until it settles, even after its run timed out: no new run starts before */
  inFlight: Promise<unknown> | undefined;
  /** the running publish's controller, for abort() when this replica loses the leadership */
  current: AbortController | undefined;
  /** a standby's read of the destination under way: never two at once */
  watching: Promise<void> | undefined;
};

/** A runner's stats before its first run. */
export const emptyRunnerStats = (): RunnerStats => ({
  runs: { success: 0, refused: 0, failure: 0, skipped: 0 },
  lastSuccessAt: null,
  lastError: null,
  lastDurationMs: null,
  lastStaleAfter: null,
  published: null,
  destinationError: null,
  skewMs: null,
  filesBehind: [],
  otherWriter: null,
});

export function createSnapshotRunner(options: SnapshotRunnerOptions) {
  const state: RunnerState = {
    ...options,
    stats: emptyRunnerStats(),
    inFlight: undefined,
    current: undefined,
    watching: undefined,
  };
  return {
    /** One run; `tick` is the schedule's fire that started it (logged, so a reader can count ticks). */
    run: (trigger: string, tick?: Date): Promise<RunOutcome> => runSnapshot(state, trigger, tick),
    /** Counts a tick this replica did not run because another replica leads, and looks at what it published. */
    skip(): Promise<void> {
      state.stats.runs.skipped += 1;
      notLeading(state.stats);
      return watch(state);
    },
    /** Counts a tick that could not even start (the database is unreachable for the election). */
    fail(trigger: string, error: unknown) {
      notLeading(state.stats);
      state.stats.runs.failure += 1;
      state.stats.lastError = describeError(error).message;
      state.logger.error('snapshot_failed', { trigger, destination: state.destination, error });
    },
    /** Stops a running snapshot before it writes anything more (this replica just lost the leadership). */
    abort(reason: string) {
      state.current?.abort(new Error(`not written: ${reason}`));
    },
    /** Resolves once no snapshot is running (used to drain on shutdown). */
    idle: async () => {
      while (state.inFlight) await state.inFlight;
    },
    stats: state.stats,
  };
}

/**
 * A tick this replica did not run: what it said as a leader is over. Another writer, files behind (the
 * next leader's to write) and its last snapshot's staleAfter (a later leadership is judged anew:
 * worker/health.ts).
 */
function notLeading(stats: RunnerStats) {
  Object.assign(stats, { otherWriter: null, filesBehind: [], lastStaleAfter: null });
}

type Published = PublishResult & { skewMs: number };

async function runSnapshot(state: RunnerState, trigger: string, tick?: Date): Promise<RunOutcome> {
  const { stats, logger } = state;
  const at = { trigger, ...(tick && { tick: tick.toISOString() }) };
  if (state.inFlight) {
    stats.runs.skipped += 1;
    logger.warn('snapshot_skipped', { ...at, reason: 'the previous snapshot is still running' });
    return 'skipped';
  }
  const started = performance.now();
  const controller = new AbortController();
  state.current = controller;
  const work = startPublish(state, controller);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`snapshot timed out after ${state.timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, state.timeoutMs);
  });
  try {
    return countPublished(state, at, await Promise.race([work, deadline]), Math.round(performance.now() - started));
  } catch (error) {
    countFailure(state, at, error, Math.round(performance.now() - started));
    // A write already under way when the time ran out may still land: say so, not only "failed".
    void work.then((late) => late.outcome === 'written' && logger.warn('snapshot_written_late', { ...at, generatedAt: late.snapshot.generatedAt, destination: state.destination }), () => {});
    return 'failure';
  } finally {
    clearTimeout(timer);
    if (state.current === controller) state.current = undefined;
  }
}

/** The publish, marked in flight until it settles: until then a new run must not start, even after this one timed out. */
function startPublish(state: RunnerState, controller: AbortController): Promise<Published> {
  const work = state.publish(controller.signal);
  const settled = work.then(
    () => undefined,
    () => undefined,
  );
  state.inFlight = settled;
  void settled.finally(() => {
    if (state.inFlight === settled) state.inFlight = undefined;
  });
  return work;
}

function countPublished(state: RunnerState, at: { trigger: string; tick?: string }, result: Published, durationMs: number): RunOutcome {
  const { stats } = state;
  const { snapshot, bytes } = result;
  Object.assign(stats, { skewMs: result.skewMs, lastDurationMs: durationMs, lastError: null });
  if (result.otherWriter !== null) stats.otherWriter = { generatedAt: result.otherWriter, until: new Date(snapshot.staleAfter) };
  stats.runs[result.outcome === 'written' ? 'success' : 'refused'] += 1;
  state.onRun?.(result.outcome === 'written' ? 'success' : 'refused', durationMs);
  if (result.outcome === 'refused') return 'refused';
  Object.assign(stats, { lastSuccessAt: new Date(snapshot.generatedAt), lastStaleAfter: new Date(snapshot.staleAfter), filesBehind: result.filesBehind });
  state.logger.info('snapshot_published', { ...at, durationMs, generatedAt: snapshot.generatedAt, status: snapshot.status, bytes, destination: state.destination, ...(result.filesBehind.length > 0 && { filesBehind: result.filesBehind }) });
  return 'success';
}

function countFailure(state: RunnerState, at: { trigger: string; tick?: string }, error: unknown, durationMs: number) {
  const { stats } = state;
  stats.runs.failure += 1;
  stats.lastDurationMs = durationMs;
  stats.lastError = describeError(error).message;
  state.onRun?.('failure', durationMs);
  state.logger.error('snapshot_failed', { ...at, durationMs, destination: state.destination, error });
}

/** A standby's look at the destination: at most one read per tick, never two at once. */
async function watch(state: RunnerState) {
  const { readPublished, stats } = state;
  if (!readPublished || state.watching) return;
  const signal = AbortSignal.timeout(state.timeoutMs);
  const watching = readPublished(signal).then(
    (body) => {
      const seen = freshnessOf(body);
      if (typeof seen === 'string') stats.destinationError = seen;
      else [stats.published, stats.destinationError] = [seen, null];
    },
    (error: unknown) => {
      stats.destinationError = `cannot read it: ${describeError(error).message}`;
      state.logger.warn('destination_check_failed', { destination: state.destination, error });
    },
  );
  state.watching = watching;
  await watching.finally(() => (state.watching = undefined));
}
