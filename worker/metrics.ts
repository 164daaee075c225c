// GET /metrics: the worker's own series, read from the runner's stats when scraped, a histogram of
// snapshot run durations to build an SLO on, and prom-client's default process metrics (CPU,
// resident memory, heap, event-loop delay, open descriptors).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RunOutcome, RunnerStats } from './snapshot-runner.ts';

export type Role = 'leader' | 'standby';

/** What the series are read from when scraped: nothing is copied, so a scrape always shows the current values. */
type MetricsSource = {
  /** the runner's counts and last run, updated by the runner as it goes */
  stats: RunnerStats;
  /** asked on each scrape, since leadership can move between scrapes */
  role(): Role;
  /** the leader's latest clock measurement when it has one; else the runner's last */
  skewMs?: () => number | null;
};

export function createMetrics(source: MetricsSource) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerRunSeries(registry, source.stats);
  registerReplicaSeries(registry, source);
  registerSideFileSeries(registry, source.stats);
  const durations = new Histogram({
    name: 'governance_snapshot_run_duration_seconds',
    help: 'Wall time of each snapshot run this replica ran, by result.',
    labelNames: ['result'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    registry,
    /** Records one run this replica ran (skipped ticks are counted by the runner, not timed). */
    observeRun(outcome: Exclude<RunOutcome, 'skipped'>, durationMs: number) {
      durations.observe({ result: outcome }, durationMs / 1000);
    },
    /** The Prometheus text exposition. */
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** The series about snapshot runs, read from the runner's stats when scraped. */
function registerRunSeries(registry: Registry, stats: RunnerStats) {
  new Counter({
    name: 'governance_snapshot_runs_total',
    help: 'Snapshot runs by result (refused: not written over a newer snapshot; skipped: not the leader, or the previous run was still going).',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      for (const result of ['success', 'refused', 'failure', 'skipped'] as const) this.inc({ result }, stats.runs[result]);
    },
  });
  new Gauge({
    name: 'governance_snapshot_last_success_timestamp_seconds',
    help: 'Unix time of the last published snapshot (0 before the first).',
    registers: [registry],
    collect() {
      this.set(stats.lastSuccessAt ? stats.lastSuccessAt.getTime() / 1000 : 0);
    },
  });
  new Gauge({
    name: 'governance_snapshot_duration_seconds',
    help: 'Wall time of the last snapshot run, published or failed.',
    registers: [registry],
    collect() {
      this.set(stats.lastDurationMs === null ? 0 : stats.lastDurationMs / 1000);
    },
  });
}

/** The series about this replica: whether it leads, and how far its clock is from the database's. */
function registerReplicaSeries(registry: Registry, source: MetricsSource) {
  new Gauge({
    name: 'governance_snapshot_leader',
    help: '1 while this replica holds the leader lock and publishes, else 0.',
    registers: [registry],
    collect() {
      this.set(source.role() === 'leader' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'governance_clock_skew_seconds',
    help: "The worker's clock minus the database's at the last measurement (positive: the worker is ahead).",
    registers: [registry],
    collect() {
      const skew = source.skewMs?.() ?? source.stats.skewMs;
      if (skew === null) this.reset();
      else this.set(skew / 1000);
    },
  });
}

/** One series per side file the last snapshot could not write; none when all are current. */
function registerSideFileSeries(registry: Registry, stats: RunnerStats) {
  new Gauge({
    name: 'governance_side_file_behind_since_timestamp_seconds',
    help: 'Per side file the last snapshot could not write, since when (Unix time); absent when every file is current.',
    labelNames: ['file'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { name, since } of stats.filesBehind) this.set({ file: name }, Date.parse(since) / 1000);
    },
  });
}

export type Metrics = ReturnType<typeof createMetrics>;
