// SIGTERM while a write hangs at the bucket, with a drain shorter than the write (found by
// tests/attacks/sigterm-mid-write.ts): the worker gives its leader lock back and closes its S3
// client, and the SDK sent the hanging PUT again: a write after this replica stopped leading.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { seedScenario } from '../fixtures/scenario.ts';
import { startConditionalProxy } from '../support/s3-conditional-proxy.ts';
import { startS3Server, s3Credentials } from '../support/s3-server.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startWorker, stopWorker } from '../support/worker-process.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ ledger: 'graph_runs' });
  await seedScenario(database.admin, 'graph_runs');
});
afterAll(async () => {
  await database?.drop();
});

it('a drain that runs out aborts the running snapshot: no PUT reaches the bucket after SIGTERM', async () => {
  const s3 = await startS3Server({ buckets: ['status'] });
  let hold = false;
  const puts: string[] = [];
  // every PUT counted as it arrives; once `hold` is set, each one hangs until the proxy closes
  const proxy = await startConditionalProxy({
    target: s3.endpoint,
    honour: true,
    holdPuts: { count: Number.MAX_SAFE_INTEGER, match: () => hold },
    fault: (method, key) => (method === 'PUT' && puts.push(key), null),
  });
  const worker = startWorker([], {
    DATABASE_URL: database.readerUrl,
    SNAPSHOT_DESTINATION: 's3://status/term/governance-status.json',
    S3_ENDPOINT: proxy.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: s3Credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3Credentials.secretAccessKey,
    SNAPSHOT_CRON: '* * * * * *',
    HEALTH_PORT: '0',
    SHUTDOWN_TIMEOUT_MS: '500',
  });
  try {
    await worker.waitFor('snapshot_published', { timeoutMs: 60_000 });
    hold = true;
    const before = puts.length;
    await vi.waitFor(() => expect(puts.length).toBeGreaterThan(before), { timeout: 30_000, interval: 50 });
    const atSigterm = puts.length;
    const mark = worker.logs.length;
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.logs.slice(mark).map((line) => line.event)).toContain('shutdown_drain_timeout');
    expect(puts.slice(atSigterm)).toEqual([]);
  } finally {
    await stopWorker(worker);
    await proxy.close();
    await s3.close();
  }
});
