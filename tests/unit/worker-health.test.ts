import { describe, expect, it } from 'vitest';
import { healthOf, metricsText } from '../../worker/health.ts';
import type { RunnerStats } from '../../worker/snapshot-runner.ts';

const now = new Date('2026-11-21T12:00:00.000Z');
const stats = (overrides: Partial<RunnerStats> = {}): RunnerStats => ({
  runs: { success: 0, failure: 0, skipped: 0 },
  lastSuccessAt: null,
  lastError: null,
  lastDurationMs: null,
  lastStaleAfter: null,
  ...overrides,
});

describe('healthOf', () => {
  it('a leader is healthy until its last snapshot goes stale', () => {
    const published = stats({ lastSuccessAt: new Date('2026-11-21T11:59:00.000Z'), lastStaleAfter: new Date('2026-11-21T12:02:00.000Z') });
    expect(healthOf({ role: 'leader', stats: published, databaseReachable: true, now })).toEqual({
      status: 'healthy',
      role: 'leader',
      lastSuccessAt: '2026-11-21T11:59:00.000Z',
      lastError: null,
    });
    const later = new Date('2026-11-21T12:02:00.001Z');
    expect(healthOf({ role: 'leader', stats: published, databaseReachable: true, now: later }).status).toBe('unhealthy');
  });
  it('a leader that never published is unhealthy and says why', () => {
    const failing = stats({ lastError: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(healthOf({ role: 'leader', stats: failing, databaseReachable: true, now })).toMatchObject({
      status: 'unhealthy',
      lastError: 'connect ECONNREFUSED 127.0.0.1:5432',
    });
  });
  it('a standby is healthy while it reaches the database', () => {
    expect(healthOf({ role: 'standby', stats: stats(), databaseReachable: true, now }).status).toBe('healthy');
    expect(healthOf({ role: 'standby', stats: stats(), databaseReachable: false, now }).status).toBe('unhealthy');
  });
});

describe('metricsText', () => {
  it('exposes runs by result, last success, duration and leadership', () => {
    const text = metricsText(
      stats({ runs: { success: 3, failure: 1, skipped: 7 }, lastSuccessAt: new Date('2026-11-21T11:59:00.000Z'), lastDurationMs: 42 }),
      'leader',
    );
    expect(text).toContain('governance_snapshot_runs_total{result="success"} 3\n');
    expect(text).toContain('governance_snapshot_runs_total{result="failure"} 1\n');
    expect(text).toContain('governance_snapshot_runs_total{result="skipped"} 7\n');
    expect(text).toContain('governance_snapshot_last_success_timestamp_seconds 1795262340\n');
    expect(text).toContain('governance_snapshot_duration_seconds 0.042\n');
    expect(text).toContain('governance_snapshot_leader 1\n');
    expect(text).toContain('# TYPE governance_snapshot_runs_total counter\n');
    expect(metricsText(stats(), 'standby')).toContain('governance_snapshot_leader 0\n');
  });
});
