// Runs the publisher on demand: never two at once, each run bounded by a timeout, every outcome
// logged and counted (the counts feed /healthz and /metrics). A run never throws.
import type { Logger } from '../shared/ports.ts';
import type { PublishResult } from './build-snapshot.ts';
import { describeError } from './logger.ts';

export type RunOutcome = 'success' | 'failure' | 'skipped';

export type RunnerStats = {
  runs: Record<RunOutcome, number>;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastDurationMs: number | null;
  /** staleAfter of the last published snapshot */
  lastStaleAfter: Date | null;
};

export type SnapshotRunnerOptions = {
  publish: (signal: AbortSignal) => Promise<PublishResult>;
  logger: Logger;
  timeoutMs: number;
  destination: string;
};

export function createSnapshotRunner({ publish, logger, timeoutMs, destination }: SnapshotRunnerOptions) {
  const stats: RunnerStats = {
    runs: { success: 0, failure: 0, skipped: 0 },
    lastSuccessAt: null,
    lastError: null,
    lastDurationMs: null,
    lastStaleAfter: null,
  };
  let inFlight: Promise<unknown> | undefined;

  async function run(trigger: string): Promise<RunOutcome> {
    if (inFlight) {
      stats.runs.skipped += 1;
      logger.warn('snapshot_skipped', { trigger, reason: 'the previous snapshot is still running' });
      return 'skipped';
    }
    const started = performance.now();
    const controller = new AbortController();
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
      const { snapshot, bytes } = await Promise.race([work, deadline]);
      const durationMs = Math.round(performance.now() - started);
      Object.assign(stats, {
        lastSuccessAt: new Date(snapshot.generatedAt),
        lastStaleAfter: new Date(snapshot.staleAfter),
        lastError: null,
        lastDurationMs: durationMs,
      });
      stats.runs.success += 1;
      logger.info('snapshot_published', { trigger, durationMs, status: snapshot.status, bytes, destination });
      return 'success';
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      stats.runs.failure += 1;
      stats.lastDurationMs = durationMs;
      stats.lastError = describeError(error).message;
      logger.error('snapshot_failed', { trigger, durationMs, destination, error });
      return 'failure';
    } finally {
      clearTimeout(timer);
    }
  }

  /** Counts a tick this replica did not run because another replica leads. */
  function skip() {
    stats.runs.skipped += 1;
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

  return { run, skip, fail, idle, stats };
}
