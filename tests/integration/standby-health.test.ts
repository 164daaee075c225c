// A standby is healthy only while someone publishes: with the leader frozen (SIGSTOP, a paused
// container) its session, and the lock, stay alive for LEADER_LEASE_SECONDS (60 here; the takeover
// after it: frozen-leader.test.ts), nobody publishes meanwhile, and the standby must say so.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seedScenario } from '../fixtures/scenario.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startWorker, stopWorker, type WorkerProcess } from '../support/worker-process.ts';
import { findFreePort } from '../../scripts/embedded-postgres.ts';

type Healthz = { status: string; role: string; reason: string | null };
const healthz = async (port: number) => {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { code: response.status, body: (await response.json()) as Healthz };
};
function waitForHealth(port: number, code: number, timeoutMs = 20_000) {
  return vi.waitFor(
    async () => {
      const seen = await healthz(port);
      expect(seen.code, `/healthz on ${port}: ${JSON.stringify(seen.body)}`).toBe(code);
      return seen;
    },
    { timeout: timeoutMs, interval: 200 },
  );
}

describe('standby health follows the destination', () => {
  let database: TestDatabase;
  let folder: string;
  const replicas: Array<{ worker: WorkerProcess; healthPort: number }> = [];

  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'graph_runs' });
    await seedScenario(database.admin, 'graph_runs');
    folder = await mkdtemp(join(tmpdir(), 'governance-standby-'));
    for (let i = 0; i < 2; i += 1) {
      const healthPort = await findFreePort();
      const worker = startWorker([], {
        DATABASE_URL: database.readerUrl,
        SNAPSHOT_DESTINATION: pathToFileURL(join(folder, 'governance-status.json')).href,
        SNAPSHOT_CRON: '* * * * * *', // staleAfter = 3 s
        HEALTH_PORT: String(healthPort),
      });
      replicas.push({ worker, healthPort });
    }
  });
  afterAll(async () => {
    for (const { worker } of replicas) worker.child.kill('SIGCONT');
    await Promise.all(replicas.map(({ worker }) => stopWorker(worker)));
    await database?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('turns 503 while the leader is frozen past staleAfter, and 200 again once it publishes after SIGCONT', async () => {
    await Promise.race(replicas.map(({ worker }) => worker.waitFor('snapshot_published', { timeoutMs: 30_000 })));
    const leader = replicas.find(({ worker }) => worker.logs.some((line) => line.event === 'snapshot_published'))!;
    const standby = replicas.find((replica) => replica !== leader)!;
    expect(await waitForHealth(standby.healthPort, 200)).toMatchObject({ body: { status: 'healthy', role: 'standby', reason: null } });

    leader.worker.child.kill('SIGSTOP');
    try {
      const frozen = await waitForHealth(standby.healthPort, 503);
      expect(frozen.body).toMatchObject({ status: 'unhealthy', role: 'standby' });
      expect(frozen.body.reason).toMatch(/^nobody has published since \S+Z: the snapshot at the destination went stale at \S+Z$/);
      expect(standby.worker.logs.filter((line) => line.event === 'snapshot_published')).toEqual([]); // the lock is still the leader's
    } finally {
      leader.worker.child.kill('SIGCONT');
    }
    const mark = leader.worker.logs.length;
    await leader.worker.waitFor('snapshot_published', { after: mark, timeoutMs: 30_000 });
    expect(await waitForHealth(standby.healthPort, 200)).toMatchObject({ body: { status: 'healthy', reason: null } });
  });
});
