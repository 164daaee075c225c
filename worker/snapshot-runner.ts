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

export function createSnapshotRunner({ publish, logger, timeoutMs, destination, readPublished, onRun }: SnapshotRunnerOptions) {
  const stats: RunnerStats = {
    runs: { success: 0, refused: 0, failure: 0, skipped: 0 },
    lastSuccessAt: null,
    lastError: null,
    lastDurationMs: null,
    lastStaleAfter: null,
    published: null,
    destinationError: null,
    skewMs: null,
    filesBehind: [],
  };
  let inFlight: Promise<unknown> | undefined;
  let current: AbortController | undefined;

  /** One run; `tick` is the schedule's fire that started it (logged, so a reader can count ticks). */
  async function run(trigger: string, tick?: Date): Promise<RunOutcome> {
    const at = tick && { tick: tick.toISOString() };
    if (inFlight) {
      stats.runs.skipped += 1;
      logger.warn('snapshot_skipped', { trigger, ...at, reason: 'the previous snapshot is still running' });
      return 'skipped';
    }
    const started = performance.now();
    const controller = new AbortController();
    current = controller;
    const work = publish(controller.signal);
    // Until the work itself settles a new run must not start, even after this one timed out.
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    inFlight = settled;
    void settled.finally(() => {
      if (inFlight === settled) inFlight = undefined;
    });

    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`snapshot timed out after ${timeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    try {
      const result = await Promise.race([work, deadline]);
      const durationMs = Math.round(performance.now() - started);
      const { snapshot, bytes } = result;
      Object.assign(stats, { skewMs: result.skewMs, lastDurationMs: durationMs, lastError: null });
      stats.runs[result.outcome === 'written' ? 'success' : 'refused'] += 1;
      onRun?.(result.outcome === 'written' ? 'success' : 'refused', durationMs);
      if (result.outcome === 'refused') return 'refused';
      Object.assign(stats, { lastSuccessAt: new Date(snapshot.generatedAt), lastStaleAfter: new Date(snapshot.staleAfter), filesBehind: result.filesBehind });
      logger.info('snapshot_published', { trigger, ...at, durationMs, generatedAt: snapshot.generatedAt, status: snapshot.status, bytes, destination, ...(result.filesBehind.length > 0 && { filesBehind: result.filesBehind }) });
      return 'success';
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      stats.runs.failure += 1;
      stats.lastDurationMs = durationMs;
      stats.lastError = describeError(error).message;
      onRun?.('failure', durationMs);
      logger.error('snapshot_failed', { trigger, ...at, durationMs, destination, error });
      // A write already under way when the time ran out may still land: say so, not only "failed".
      void work.then((late) => late.outcome === 'written' && logger.warn('snapshot_written_late', { trigger, ...at, generatedAt: late.snapshot.generatedAt, destination }), () => {});
      return 'failure';
    } finally {
      clearTimeout(timer);
      if (current === controller) current = undefined;
    }
  }

  /** Stops a running snapshot before it writes anything more (this replica just lost the leadership). */
  function abort(reason: string) {
    current?.abort(new Error(`not written: ${reason}`));
  }

  let watching: Promise<void> | undefined;
  /** A standby's look at the destination: at most one read per tick, never two at once. */
  async function watch() {
    if (!readPublished || watching) return;
    const signal = AbortSignal.timeout(timeoutMs);
    watching = readPublished(signal).then(
      (body) => {
        const seen = freshnessOf(body);
        if (typeof seen === 'string') stats.destinationError = seen;
        else [stats.published, stats.destinationError] = [seen, null];
      },
      (error: unknown) => {
        stats.destinationError = `cannot read it: ${describeError(error).message}`;
        logger.warn('destination_check_failed', { destination, error });
      },
    );
    await watching.finally(() => (watching = undefined));
  }

  /** Counts a tick this replica did not run because another replica leads, and looks at what it published. */
  function skip(): Promise<void> {
    stats.runs.skipped += 1;
    return watch();
  }

  /** Counts a tick that could not even start (the database is unreachable for the election). */
  function fail(trigger: string, error: unknown) {
    stats.runs.failure += 1;
    stats.lastError = describeError(error).message;
    logger.error('snapshot_failed', { trigger, destination, error });
  }

  /** Resolves once no snapshot is running (used to drain on shutdown). */
  const idle = async () => {
    while (inFlight) await inFlight;
  };

  return { run, skip, fail, abort, idle, stats };
}
