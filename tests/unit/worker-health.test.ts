import { describe, expect, it } from 'vitest';
import { healthOf } from '../../worker/health.ts';
import { createMetrics } from '../../worker/metrics.ts';
import { createLogger } from '../../worker/logger.ts';
import type { GovernanceStatus } from '../../shared/contract.ts';
import { createSnapshotRunner, emptyRunnerStats, freshnessOf, type RunnerStats } from '../../worker/snapshot-runner.ts';

const now = new Date('2026-11-21T12:00:00.000Z');
const stats = (overrides: Partial<RunnerStats> = {}): RunnerStats => ({ ...emptyRunnerStats(), ...overrides });

describe('healthOf', () => {
  it('a leader is healthy until its last snapshot goes stale', () => {
    const published = stats({ lastSuccessAt: new Date('2026-11-21T11:59:00.000Z'), lastStaleAfter: new Date('2026-11-21T12:02:00.000Z') });
    expect(healthOf({ role: 'leader', stats: published, databaseReachable: true, now })).toEqual({
      status: 'healthy',
      role: 'leader',
      lastSuccessAt: '2026-11-21T11:59:00.000Z',
      lastError: null,
      reason: null,
    });
    const later = new Date('2026-11-21T12:02:00.001Z');
    expect(healthOf({ role: 'leader', stats: published, databaseReachable: true, now: later })).toMatchObject({
      status: 'unhealthy',
      reason: "this leader's last snapshot went stale at 2026-11-21T12:02:00.000Z",
    });
  });
  it("judges staleness on the database's time: a worker clock ahead or behind by the skew it measured reads the same", () => {
    const published = stats({ lastSuccessAt: new Date('2026-11-21T11:59:00.000Z'), lastStaleAfter: new Date('2026-11-21T12:02:00.000Z') });
    const minutes = (count: number) => count * 60_000;
    // the database's time is 12:01 (fresh) and 12:03 (stale), whatever the worker's clock reads
    for (const skewMs of [minutes(4), -minutes(4)]) {
      const at = (iso: string) => new Date(Date.parse(iso) + skewMs);
      expect(healthOf({ role: 'leader', stats: published, databaseReachable: true, skewMs, now: at('2026-11-21T12:01:00.000Z') }).status, String(skewMs)).toBe('healthy');
      expect(healthOf({ role: 'leader', stats: published, databaseReachable: true, skewMs, now: at('2026-11-21T12:03:00.000Z') }).status, String(skewMs)).toBe('unhealthy');
      const seenThere = { generatedAt: new Date('2026-11-21T11:59:00.000Z'), staleAfter: new Date('2026-11-21T12:02:00.000Z') };
      expect(healthOf({ role: 'standby', stats: stats({ published: seenThere }), databaseReachable: true, skewMs, now: at('2026-11-21T12:01:00.000Z') }).status, String(skewMs)).toBe('healthy');
      expect(healthOf({ role: 'standby', stats: stats({ published: seenThere }), databaseReachable: true, skewMs, now: at('2026-11-21T12:03:00.000Z') }).status, String(skewMs)).toBe('unhealthy');
    }
  });
  it('a leader that found another writer at its destination is unhealthy until the staleAfter of the snapshot that found it, fresh as its own is', () => {
    const otherWriter = { generatedAt: '2026-11-21T11:58:30.000Z', until: new Date('2026-11-21T12:02:00.000Z') };
    const intruded = stats({ lastSuccessAt: new Date('2026-11-21T12:01:00.000Z'), lastStaleAfter: new Date('2026-11-21T12:04:00.000Z'), otherWriter });
    expect(healthOf({ role: 'leader', stats: intruded, databaseReachable: true, now })).toMatchObject({
      status: 'unhealthy',
      reason: expect.stringMatching(/^another worker writes to this destination: the snapshot there \(generatedAt 2026-11-21T11:58:30.000Z\)/),
    });
    expect(healthOf({ role: 'leader', stats: intruded, databaseReachable: true, now: new Date('2026-11-21T12:02:00.001Z') })).toMatchObject({ status: 'healthy', reason: null });
  });
  it('a leader that has not published yet is judged by the snapshot it saw at the destination as a standby, while that is fresh', () => {
    const seenThere = { generatedAt: new Date('2026-11-21T11:59:00.000Z'), staleAfter: new Date('2026-11-21T12:02:00.000Z') };
    const rebuilding = stats({ published: seenThere, lastError: 'terminating connection due to idle-session timeout' });
    expect(healthOf({ role: 'leader', stats: rebuilding, databaseReachable: true, now })).toMatchObject({ status: 'healthy', reason: null });
    expect(healthOf({ role: 'leader', stats: rebuilding, databaseReachable: true, now: new Date('2026-11-21T12:02:00.001Z') })).toMatchObject({
      status: 'unhealthy',
      reason: 'this leader has not published a snapshot yet: terminating connection due to idle-session timeout',
    });
  });
  it('a leader that never published is unhealthy and says why', () => {
    const failing = stats({ lastError: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(healthOf({ role: 'leader', stats: failing, databaseReachable: true, now })).toMatchObject({
      status: 'unhealthy',
      lastError: 'connect ECONNREFUSED 127.0.0.1:5432',
      reason: 'this leader has not published a snapshot yet: connect ECONNREFUSED 127.0.0.1:5432',
    });
  });

  const seen = { generatedAt: new Date('2026-11-21T11:59:00.000Z'), staleAfter: new Date('2026-11-21T12:02:00.000Z') };
  it('a standby is healthy while it reaches the database and the published snapshot is fresh', () => {
    expect(healthOf({ role: 'standby', stats: stats({ published: seen }), databaseReachable: true, now })).toMatchObject({ status: 'healthy', reason: null });
    expect(healthOf({ role: 'standby', stats: stats({ published: seen, lastError: 'connect ECONNREFUSED' }), databaseReachable: false, now })).toMatchObject({
      status: 'unhealthy',
      reason: 'this standby cannot reach the database: connect ECONNREFUSED',
    });
    expect(healthOf({ role: 'standby', stats: stats(), databaseReachable: false, now }).reason).toBe('this standby has not reached the database yet');
  });
  it('a standby that sees nobody publish within staleAfter is unhealthy, and says so', () => {
    const later = new Date('2026-11-21T12:02:00.001Z');
    expect(healthOf({ role: 'standby', stats: stats({ published: seen }), databaseReachable: true, now: later })).toEqual({
      status: 'unhealthy',
      role: 'standby',
      lastSuccessAt: null,
      lastError: null,
      reason: 'nobody has published since 2026-11-21T11:59:00.000Z: the snapshot at the destination went stale at 2026-11-21T12:02:00.000Z',
    });
  });
  it('a standby gives the leader one staleAfter from its start to publish', () => {
    const graceUntil = new Date('2026-11-21T12:03:00.000Z');
    const nothing = stats({ destinationError: 'nothing is published there' });
    expect(healthOf({ role: 'standby', stats: nothing, databaseReachable: true, standbyGraceUntil: graceUntil, now }).status).toBe('healthy');
    expect(healthOf({ role: 'standby', stats: nothing, databaseReachable: true, standbyGraceUntil: graceUntil, now: new Date('2026-11-21T12:03:00.001Z') })).toMatchObject({
      status: 'unhealthy',
      reason: 'no snapshot at the destination since this standby started: nothing is published there',
    });
  });
  it("judges the start-up grace on the worker's clock, which set it: a skew neither stretches nor shortens it", () => {
    const graceUntil = new Date('2026-11-21T12:03:00.000Z'); // the worker's start plus one staleAfter, on its own clock
    const nothing = stats({ destinationError: 'nothing is published there' });
    for (const skewMs of [15 * 60_000, -15 * 60_000]) {
      const standby = (at: string) => healthOf({ role: 'standby', stats: nothing, databaseReachable: true, standbyGraceUntil: graceUntil, skewMs, now: new Date(at) }).status;
      expect(standby('2026-11-21T12:02:59.000Z'), String(skewMs)).toBe('healthy');
      expect(standby('2026-11-21T12:03:00.001Z'), String(skewMs)).toBe('unhealthy');
    }
  });
  it('a replica whose lock connection is not one session is unhealthy, with the reason', () => {
    const problem = 'refusing to lead: a pooler in transaction mode';
    expect(healthOf({ role: 'standby', stats: stats({ published: seen }), databaseReachable: true, leaderProblem: problem, now })).toMatchObject({
      status: 'unhealthy',
      reason: problem,
    });
  });
});

describe('freshnessOf', () => {
  it('reads generatedAt and staleAfter of a published snapshot, or says why it cannot', () => {
    expect(freshnessOf('{"generatedAt":"2026-11-21T11:59:00.000Z","staleAfter":"2026-11-21T12:02:00.000Z"}')).toEqual({
      generatedAt: new Date('2026-11-21T11:59:00.000Z'),
      staleAfter: new Date('2026-11-21T12:02:00.000Z'),
    });
    expect(freshnessOf(null)).toBe('nothing is published there');
    expect(freshnessOf('last good snapshot')).toBe('the file there is not JSON');
    expect(freshnessOf('{"staleAfter":"soon"}')).toBe('the file there has no generatedAt and staleAfter');
  });
});

describe('the runner feeding /healthz', () => {
  const quiet = createLogger(() => {});
  it('a standby tick reads the published snapshot once and remembers its freshness', async () => {
    const bodies = ['{"generatedAt":"2026-11-21T11:59:00.000Z","staleAfter":"2026-11-21T12:02:00.000Z"}', null];
    let reads = 0;
    const runner = createSnapshotRunner({
      publish: () => Promise.reject(new Error('a standby never publishes')),
      logger: quiet,
      timeoutMs: 1_000,
      destination: 'memory',
      readPublished: async () => bodies[reads++] ?? null,
    });
    await runner.skip();
    expect(reads).toBe(1);
    expect(runner.stats.published).toEqual({ generatedAt: new Date('2026-11-21T11:59:00.000Z'), staleAfter: new Date('2026-11-21T12:02:00.000Z') });
    await runner.skip(); // now missing: the last snapshot seen stays what it was, and the reason is kept
    expect(runner.stats).toMatchObject({ destinationError: 'nothing is published there', runs: { skipped: 2 } });
  });
  it('a failed read of the destination is logged and kept as the reason', async () => {
    const lines: string[] = [];
    const runner = createSnapshotRunner({
      publish: () => Promise.reject(new Error('unused')),
      logger: createLogger((line) => lines.push(line)),
      timeoutMs: 1_000,
      destination: 's3://status/governance-status.json',
      readPublished: () => Promise.reject(new Error('AccessDenied')),
    });
    await runner.skip();
    expect(runner.stats.destinationError).toBe('cannot read it: AccessDenied');
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'destination_check_failed', error: { message: 'AccessDenied' } });
  });
  it('abort() stops a snapshot in flight before it writes (the replica lost the lock)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let wrote = false;
    const runner = createSnapshotRunner({
      publish: async (signal) => {
        await gate;
        signal.throwIfAborted();
        wrote = true;
        throw new Error('unreachable in this test');
      },
      logger: quiet,
      timeoutMs: 5_000,
      destination: 'memory',
    });
    const outcome = runner.run('schedule');
    runner.abort('this replica lost the leader lock');
    release();
    expect(await outcome).toBe('failure');
    expect(wrote).toBe(false);
    expect(runner.stats.lastError).toBe('not written: this replica lost the leader lock');
  });
});

describe('metrics', () => {
  const metricsText = (runnerStats: ReturnType<typeof stats>, role: 'leader' | 'standby') => createMetrics({ stats: runnerStats, role: () => role }).text();
  it('exposes runs by result, last success, duration and leadership', async () => {
    const text = await metricsText(
      stats({ runs: { success: 3, refused: 0, failure: 1, skipped: 7 }, lastSuccessAt: new Date('2026-11-21T11:59:00.000Z'), lastDurationMs: 42 }),
      'leader',
    );
    expect(text).toContain('governance_snapshot_runs_total{result="success"} 3\n');
    expect(text).toContain('governance_snapshot_runs_total{result="failure"} 1\n');
    expect(text).toContain('governance_snapshot_runs_total{result="skipped"} 7\n');
    expect(text).toContain('governance_snapshot_last_success_timestamp_seconds 1795262340\n');
    expect(text).toContain('governance_snapshot_duration_seconds 0.042\n');
    expect(text).toContain('governance_snapshot_leader 1\n');
    expect(text).toContain('# TYPE governance_snapshot_runs_total counter\n');
    expect(await metricsText(stats(), 'standby')).toContain('governance_snapshot_leader 0\n');
  });

  it('counts a snapshot refused over a newer one as result="refused", neither a success nor a failure', async () => {
    const snapshot = { generatedAt: '2026-11-21T11:59:00.000Z', staleAfter: '2026-11-21T12:02:00.000Z', status: 'healthy' } as GovernanceStatus;
    const lines: Array<{ event: string }> = [];
    const runner = createSnapshotRunner({
      publish: async () => ({ outcome: 'refused', snapshot, bytes: 0, written: [], filesBehind: [], otherWriter: null, skewMs: 0 }),
      logger: createLogger((line) => lines.push(JSON.parse(line))),
      timeoutMs: 1_000,
      destination: 'memory',
      onRun: (outcome, durationMs) => metrics.observeRun(outcome, durationMs),
    });
    const metrics = createMetrics({ stats: runner.stats, role: () => 'leader' });
    expect(await runner.run('schedule')).toBe('refused');
    const text = await metrics.text();
    expect(text).toContain('governance_snapshot_runs_total{result="refused"} 1\n');
    expect(text).toContain('governance_snapshot_runs_total{result="success"} 0\n');
    expect(text).toContain('governance_snapshot_runs_total{result="failure"} 0\n');
    expect(text).toContain('governance_snapshot_run_duration_seconds_count{result="refused"} 1\n');
    expect(runner.stats.lastSuccessAt).toBeNull();
    expect(lines.map((line) => line.event)).not.toContain('snapshot_published');
  });

  it('adds a histogram of the runs this replica ran, and the process metrics an operator expects', async () => {
    const metrics = createMetrics({ stats: stats(), role: () => 'leader' });
    metrics.observeRun('success', 80);
    metrics.observeRun('failure', 3_000);
    const text = await metrics.text();
    expect(text).toContain('# TYPE governance_snapshot_run_duration_seconds histogram\n');
    expect(text).toContain('governance_snapshot_run_duration_seconds_bucket{le="0.1",result="success"} 1\n');
    expect(text).toContain('governance_snapshot_run_duration_seconds_count{result="failure"} 1\n');
    for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds', 'process_open_fds']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });
});
