// A frozen leader (SIGSTOP: a paused container, a stopped process) keeps its connection open, and
// with it its session lock; its session is a lease (LEADER_LEASE_SECONDS, the server's
// idle_session_timeout): the server ends it, a standby takes the lock and publishes, and the leader,
// woken, finds its lead gone and writes nothing over the newer snapshot.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedScenario } from '../fixtures/scenario.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startWorker, stopWorker, type WorkerProcess } from '../support/worker-process.ts';

const published = (worker: WorkerProcess, after = 0) => worker.logs.slice(after).filter((line) => line.event === 'snapshot_published');

describe('a frozen leader', () => {
  let database: TestDatabase;
  let folder: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'graph_runs' });
    await seedScenario(database.admin, 'graph_runs');
    folder = await mkdtemp(join(tmpdir(), 'governance-frozen-'));
    for (let i = 0; i < 2; i += 1) {
      workers.push(
        startWorker([], {
          DATABASE_URL: database.readerUrl,
          SNAPSHOT_DESTINATION: pathToFileURL(join(folder, 'governance-status.json')).href,
          SNAPSHOT_CRON: '* * * * * *',
          LEADER_LEASE_SECONDS: '10',
          HEALTH_PORT: '0',
        }),
      );
    }
  });
  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGCONT');
    await Promise.all(workers.map((worker) => stopWorker(worker)));
    await database?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('loses the lock when its lease runs out: a standby takes over, and the leader, woken, publishes nothing', async () => {
    await Promise.race(workers.map((worker) => worker.waitFor('snapshot_published', { timeoutMs: 30_000 })));
    const leader = workers.find((worker) => published(worker).length > 0)!;
    const standby = workers.find((worker) => worker !== leader)!;
    expect(published(standby)).toEqual([]);

    leader.child.kill('SIGSTOP');
    const frozenAt = standby.logs.length;
    // nothing but the lease frees the lock: the standby leads and publishes while the leader is still stopped
    await standby.waitFor('leader_elected', { after: frozenAt, timeoutMs: 60_000 });
    await standby.waitFor('snapshot_published', { after: frozenAt, count: 2, timeoutMs: 30_000 });
    const taken = JSON.parse(await readFile(join(folder, 'governance-status.json'), 'utf8')) as { generatedAt: string };

    const wokeAt = leader.logs.length;
    leader.child.kill('SIGCONT');
    await leader.waitFor('leader_lost', { after: wokeAt, timeoutMs: 30_000 });
    // five more of the new leader's snapshots: the old one, awake and ticking, published none of its own
    const mark = standby.logs.length;
    await standby.waitFor('snapshot_published', { after: mark, count: 5, timeoutMs: 30_000 });
    expect(published(leader, wokeAt)).toEqual([]);
    const now = JSON.parse(await readFile(join(folder, 'governance-status.json'), 'utf8')) as { generatedAt: string };
    expect(Date.parse(now.generatedAt)).toBeGreaterThan(Date.parse(taken.generatedAt));
  });

  it('keeps its lease between ticks longer than the lease: a live leader never loses the lock to it', { timeout: 120_000 }, async () => {
    const folder2 = await mkdtemp(join(tmpdir(), 'governance-lease-'));
    const worker = startWorker([], {
      DATABASE_URL: database.readerUrl,
      SNAPSHOT_DESTINATION: pathToFileURL(join(folder2, 'governance-status.json')).href,
      SNAPSHOT_CRON: '*/30 * * * * *', // thirty seconds between checks, three times the lease
      LEADER_LEASE_SECONDS: '10',
      HEALTH_PORT: '0',
    });
    try {
      await worker.waitFor('snapshot_published', { count: 3, timeoutMs: 90_000 }); // the start-up's, then two ticks a full interval apart
      expect(worker.logs.filter((line) => line.event === 'leader_lost')).toEqual([]);
      expect(worker.logs.filter((line) => line.event === 'leader_elected')).toHaveLength(1);
    } finally {
      await stopWorker(worker);
      await rm(folder2, { recursive: true, force: true });
    }
  });
});
