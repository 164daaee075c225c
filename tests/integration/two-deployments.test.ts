// Two deployments that share one destination, each reading its own database (a staging config copied
// from production): each leads by its own database's lock, so the lock cannot stop them, and their
// snapshots would alternate in silence. Each leader finds at the destination a snapshot it did not
// write, logs another_writer and answers /healthz with 503 for as long as it does.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seedScenario } from '../fixtures/scenario.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startEverySecond, stopWorker, type WorkerProcess } from '../support/worker-process.ts';

describe('two deployments on one destination', () => {
  const databases: TestDatabase[] = [];
  const workers: Array<{ worker: WorkerProcess; healthPort: number }> = [];
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'governance-two-deployments-'));
    for (let i = 0; i < 2; i += 1) {
      const database = await createTestDatabase({ ledger: 'graph_runs' });
      await seedScenario(database.admin, 'graph_runs');
      databases.push(database);
      workers.push(await startEverySecond(database.readerUrl, folder));
    }
  });
  afterAll(async () => {
    await Promise.all(workers.map(({ worker }) => stopWorker(worker)));
    await Promise.all(databases.map((database) => database.drop()));
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('each leader says another writer is at its destination, in its log and its /healthz', async () => {
    for (const { worker } of workers) await worker.waitFor('leader_elected', { timeoutMs: 30_000 });
    const said = await Promise.race(workers.map(({ worker }, index) => worker.waitFor('another_writer', { timeoutMs: 60_000 }).then((line) => ({ line, index }))));
    expect(said.line).toMatchObject({ level: 'error', reason: expect.stringMatching(/^another worker writes to this destination/) });
    const { healthPort } = workers[said.index]!;
    await vi.waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
        expect(response.status).toBe(503);
        expect(((await response.json()) as { reason: string }).reason).toMatch(/^another worker writes to this destination/);
      },
      { timeout: 30_000, interval: 100 },
    );
  });
});
