// Three sidecar replicas on one database and one destination, ticking every second: exactly one
// publishes per tick, the others stand by, and when the leader dies a standby takes over.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seedScenario } from '../fixtures/scenario.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { runsOf, startEverySecond, stopWorker, ticksOf, waitForTicks, type WorkerProcess } from '../support/worker-process.ts';

const published = (worker: WorkerProcess, from = 0) => worker.logs.slice(from).filter((line) => line.event === 'snapshot_published').length;

describe('several replicas, one writer', () => {
  let database: TestDatabase;
  let folder: string;
  const workers: Array<{ worker: WorkerProcess; healthPort: number }> = [];

  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'schedule_runs' });
    await seedScenario(database.admin, 'schedule_runs');
    folder = await mkdtemp(join(tmpdir(), 'governance-leader-'));
    for (let i = 0; i < 3; i += 1) {
      workers.push(await startEverySecond(database.readerUrl, folder));
    }
    await Promise.all(workers.map(({ worker }) => worker.waitFor('worker_started')));
  });
  afterAll(async () => {
    await Promise.all(workers.map(({ worker }) => stopWorker(worker)));
    await database?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('publishes once per tick, always from the same replica, and hands over when the leader dies', async () => {
    await Promise.race(workers.map(({ worker }) => worker.waitFor('snapshot_published')));
    const leaderIndex = workers.findIndex(({ worker }) => published(worker) > 0);
    const leader = workers[leaderIndex]!;
    const standbys = workers.filter((_, index) => index !== leaderIndex);

    // A window of ticks: across all three replicas, one publish per tick (each run logs the tick
    // that started it), all from the one leader.
    const marks = workers.map(({ worker }) => worker.logs.length);
    await leader.worker.waitFor('snapshot_published', { after: marks[leaderIndex]!, count: 5 });
    const ticks = workers.flatMap(({ worker }, index) => worker.logs.slice(marks[index]).filter((line) => line.event === 'snapshot_published').map((line) => String(line.tick)));
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    expect(new Set(ticks).size).toBe(ticks.length);
    const counts = workers.map(({ worker }, index) => published(worker, marks[index]));
    expect(counts.filter((count) => count > 0)).toHaveLength(1);

    const metricsOf = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(await metricsOf(leader.healthPort)).toContain('governance_snapshot_leader 1\n');
    for (const standby of standbys) {
      const text = await metricsOf(standby.healthPort);
      expect(text).toContain('governance_snapshot_leader 0\n');
      expect(text).toMatch(/governance_snapshot_runs_total\{result="skipped"\} [1-9]/);
      expect(text).toContain('governance_snapshot_runs_total{result="success"} 0\n');
      const health = await fetch(`http://127.0.0.1:${standby.healthPort}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'healthy', role: 'standby' });
    }
    const leaderHealth = await fetch(`http://127.0.0.1:${leader.healthPort}/healthz`);
    expect(leaderHealth.status).toBe(200);
    expect(await leaderHealth.json()).toMatchObject({ status: 'healthy', role: 'leader', lastError: null });

    // The leader dies without a word: its session ends, the lock frees, and a standby takes it on its
    // next look. Counted in the standby's own ticks from the moment the leader's lock was gone, not in
    // seconds: it leaves at most two of them to nobody (a look already under way as the lock went,
    // which counts for every tick it spans when the machine is slow).
    const lockHolders = async () =>
      (await database.admin.query<{ pid: number }>(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)).rows.map((row) => row.pid);
    const holders = await lockHolders();
    expect(holders).toHaveLength(1);
    const standbyMarks = standbys.map(({ worker }) => worker.logs.length);
    leader.worker.child.kill('SIGKILL');
    await leader.worker.exited;
    await vi.waitFor(async () => expect(await lockHolders()).not.toContain(holders[0]), { timeout: 15_000, interval: 50 });
    const skippedThen = await Promise.all(standbys.map(async ({ healthPort }) => (await runsOf(healthPort)).skipped));
    const taker = await Promise.race(standbys.map(({ worker }, index) => worker.waitFor('snapshot_published', { after: standbyMarks[index] }).then(() => index)));

    // still exactly one writer, three ticks of each standby's own later
    const ticksThen = await Promise.all(standbys.map(({ healthPort }) => ticksOf(healthPort)));
    await waitForTicks(standbys.map(({ healthPort }) => healthPort), 3, ticksThen);
    const after = standbys.map(({ worker }, index) => published(worker, standbyMarks[index]));
    expect(after.filter((count) => count > 0)).toHaveLength(1);

    // The ticks it left to nobody: those it counted as skipped since the lock went, less those it
    // skipped as the leader because its previous snapshot was still running (it logs those).
    const newLeader = standbys[taker]!;
    const skippedAsLeader = newLeader.worker.logs.slice(standbyMarks[taker]).filter((line) => line.event === 'snapshot_skipped').length;
    expect((await runsOf(newLeader.healthPort)).skipped - skippedThen[taker]! - skippedAsLeader).toBeLessThanOrEqual(2);
  });
});
