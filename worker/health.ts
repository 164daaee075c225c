// What /healthz says, as a pure function of the runner's stats and the leader's state.
import { databaseTimeAt } from '../shared/clock.ts';
import type { RunnerStats } from './snapshot-runner.ts';
import { otherWriterReason } from './publish.ts';

import type { Role } from './metrics.ts';

export type { Role };
export type HealthInput = {
  role: Role;
  stats: RunnerStats;
  databaseReachable: boolean;
  /** why this replica refuses to lead (its lock connection is not one session), or null */
  leaderProblem?: string | null;
  /** until when a standby that has not yet seen a published snapshot still gives the leader time (the worker's clock: set from its start) */
  standbyGraceUntil?: Date;
  /** the worker's clock minus the database's (ms): staleness is judged on the database's time */
  skewMs?: number | null;
  now: Date;
};

export type Health = {
  status: 'healthy' | 'unhealthy';
  role: Role;
  lastSuccessAt: string | null;
  lastError: string | null;
  /** why it is unhealthy, in words; null while healthy */
  reason: string | null;
  /** side files the last snapshot could not write (present only when some are behind) */
  filesBehind?: ReadonlyArray<{ name: string; since: string }>;
  /** the worker's clock minus the database's, when measured */
  clockSkewSeconds?: number;
};

const iso = (date: Date) => date.toISOString();

/**
 * Healthy: a leader whose last snapshot is not yet stale (before its first, the one it saw at the
 * destination as a standby); a standby that reaches the database,
 * may lead, and sees a fresh snapshot at the destination (someone publishes). Nobody vouches for a
 * destination that nobody has written within staleAfter.
 */
export function healthOf({ role, stats, databaseReachable, leaderProblem = null, standbyGraceUntil, skewMs = null, now: workerNow }: HealthInput): Health {
  // staleAfter is the database's time: a worker whose own clock is off still judges it right
  const now = new Date(databaseTimeAt(workerNow.getTime(), skewMs ?? 0));
  // the start-up grace is a span from the worker's own start, so it is judged on the worker's clock
  const inGrace = standbyGraceUntil !== undefined && workerNow.getTime() <= standbyGraceUntil.getTime();
  const reason = role === 'leader' ? leaderReason(stats, now) : standbyReason(stats, databaseReachable, leaderProblem, inGrace, now);
  return {
    status: reason === null ? 'healthy' : 'unhealthy',
    role,
    lastSuccessAt: stats.lastSuccessAt?.toISOString() ?? null,
    lastError: stats.lastError,
    reason,
    ...(stats.filesBehind.length > 0 && { filesBehind: stats.filesBehind }),
    ...(skewMs !== null && { clockSkewSeconds: Math.round(skewMs) / 1000 }),
  };
}

function leaderReason(stats: RunnerStats, now: Date): string | null {
  if (stats.otherWriter !== null && now.getTime() <= stats.otherWriter.until.getTime()) return otherWriterReason(stats.otherWriter.generatedAt);
  if (stats.lastStaleAfter === null) {
    // A leader that has not published yet (a failover, a rolling update: its rebuild takes seconds) is
    // judged as the standby it was judged: the snapshot it saw at the destination, while that is fresh.
    if (stats.published && now.getTime() <= stats.published.staleAfter.getTime()) return null;
    return `this leader has not published a snapshot yet${stats.lastError ? `: ${stats.lastError}` : ''}`;
  }
  if (now.getTime() > stats.lastStaleAfter.getTime()) return `this leader's last snapshot went stale at ${iso(stats.lastStaleAfter)}`;
  return null;
}

function standbyReason(stats: RunnerStats, reachable: boolean, leaderProblem: string | null, inGrace: boolean, now: Date): string | null {
  if (leaderProblem) return leaderProblem;
  if (!reachable) return stats.lastError ? `this standby cannot reach the database: ${stats.lastError}` : 'this standby has not reached the database yet';
  const published = stats.published;
  if (published && now.getTime() <= published.staleAfter.getTime()) return null;
  // A standby that just started gives the leader one staleAfter to publish before it says "nobody does".
  if (inGrace) return null;
  if (published) return `nobody has published since ${iso(published.generatedAt)}: the snapshot at the destination went stale at ${iso(published.staleAfter)}`;
  const why = stats.destinationError ? `: ${stats.destinationError}` : '';
  return `no snapshot at the destination since this standby started${why}`;
}
