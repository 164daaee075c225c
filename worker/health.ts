// What /healthz and /metrics say, as pure functions of the runner's stats and the leader's state.
import type { RunnerStats } from './snapshot-runner.ts';

export type Role = 'leader' | 'standby';
export type HealthInput = { role: Role; stats: RunnerStats; databaseReachable: boolean; now: Date };

export type Health = {
  status: 'healthy' | 'unhealthy';
  role: Role;
  lastSuccessAt: string | null;
  lastError: string | null;
};

/** Healthy: a leader whose last snapshot is not yet stale, or a standby that reaches the database. */
export function healthOf({ role, stats, databaseReachable, now }: HealthInput): Health {
  const fresh = stats.lastStaleAfter !== null && now.getTime() <= stats.lastStaleAfter.getTime();
  const healthy = role === 'leader' ? fresh : databaseReachable;
  return {
    status: healthy ? 'healthy' : 'unhealthy',
    role,
    lastSuccessAt: stats.lastSuccessAt?.toISOString() ?? null,
    lastError: stats.lastError,
  };
}

/** Prometheus text exposition format, version 0.0.4. */
export function metricsText(stats: RunnerStats, role: Role): string {
  const lastSuccess = stats.lastSuccessAt ? stats.lastSuccessAt.getTime() / 1000 : 0;
  const duration = stats.lastDurationMs === null ? 0 : stats.lastDurationMs / 1000;
  return [
    '# HELP governance_snapshot_runs_total Snapshot runs by result (skipped: not the leader, or the previous run was still going).',
    '# TYPE governance_snapshot_runs_total counter',
    ...(['success', 'failure', 'skipped'] as const).map((result) => `governance_snapshot_runs_total{result="${result}"} ${stats.runs[result]}`),
    '# HELP governance_snapshot_last_success_timestamp_seconds Unix time of the last published snapshot (0 before the first).',
    '# TYPE governance_snapshot_last_success_timestamp_seconds gauge',
    `governance_snapshot_last_success_timestamp_seconds ${lastSuccess}`,
    '# HELP governance_snapshot_duration_seconds Wall time of the last snapshot run, published or failed.',
    '# TYPE governance_snapshot_duration_seconds gauge',
    `governance_snapshot_duration_seconds ${duration}`,
    '# HELP governance_snapshot_leader 1 while this replica holds the leader lock and publishes, else 0.',
    '# TYPE governance_snapshot_leader gauge',
    `governance_snapshot_leader ${role === 'leader' ? 1 : 0}`,
    '',
  ].join('\n');
}
