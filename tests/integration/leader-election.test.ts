// Three sidecar replicas on one database and one destination, ticking every second: exactly one
// publishes per tick, the others stand by, and when the leader dies a standby takes over.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedScenario } from '../fixtures/scenario.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startWorker, stopWorker, type WorkerProcess } from '../support/worker-process.ts';
import { findFreePort } from '../../scripts/embedded-postgres.ts';

const published = (worker: WorkerProcess, from = 0) => worker.logs.slice(from).filter((line) => line.event === 'snapshot_published').length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('several replicas, one writer', () => {
  let database: TestDatabase;
  let folder: string;
  const workers: Array<{ worker: WorkerProcess; healthPort: number }> = [];

  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'schedule_runs' });
    await seedScenario(database.admin, 'schedule_runs');
    folder = await mkdtemp(join(tmpdir(), 'governance-leader-'));
    for (let i = 0; i < 3; i += 1) {
      const healthPort = await findFreePort();
      const worker = startWorker([], {
        DATABASE_URL: database.readerUrl,
        SNAPSHOT_DESTINATION: pathToFileURL(join(folder, 'governance-status.json')).href,
        SNAPSHOT_CRON: '* * * * * *',
        HEALTH_PORT: String(healthPort),
      });
      workers.push({ worker, healthPort });
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

    // The leader dies without a word: its session ends, the lock frees, a standby takes over within
    // two ticks of the leader's last one (counted by the ticks the runs log, not by a clock here).
    const standbyMarks = standbys.map(({ worker }) => worker.logs.length);
    leader.worker.child.kill('SIGKILL');
    await leader.worker.exited;
    const lastTick = Date.parse(String(leader.worker.logs.filter((line) => line.event === 'snapshot_published').at(-1)!.tick));
    const first = await Promise.race(standbys.map(({ worker }, index) => worker.waitFor('snapshot_published', { after: standbyMarks[index] })));
    expect((Date.parse(String(first.tick)) - lastTick) / 1000).toBeLessThanOrEqual(2);

    await sleep(3_000);
    const after = standbys.map(({ worker }, index) => published(worker, standbyMarks[index]));
    expect(after.filter((count) => count > 0)).toHaveLength(1); // still exactly one writer
  });
});
