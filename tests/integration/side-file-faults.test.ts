// A bucket failing or slow on the side files only (issue 17, "files that disagree"), with the real
// worker process, the AWS SDK and s3rver behind a proxy that injects the faults: the snapshot is
// still published on every tick, names the side file that is behind and since when, /healthz and
// /metrics name it too, and the file is written on the first tick after the fault is lifted. An
// archived day that cannot be written is named the same way, as the archive's index; a side file that
// cannot be read back at a restart fails the tick by name until it can be.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GovernanceStatus } from '../../shared/contract.ts';
import { findFreePort } from '../../scripts/embedded-postgres.ts';
import { seedScenario } from '../fixtures/scenario.ts';
import { startConditionalProxy, type ConditionalProxy } from '../support/s3-conditional-proxy.ts';
import { s3Credentials, startS3Server, type S3TestServer } from '../support/s3-server.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startWorker, stopWorker, type LogLine, type WorkerProcess } from '../support/worker-process.ts';

type Fault = { status?: number; delayMs?: number } | null;
let fault: (method: string, key: string) => Fault = () => null;
let database: TestDatabase;
let s3: S3TestServer;
let proxy: ConditionalProxy;
const running: WorkerProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ ledger: 'graph_runs' });
  await seedScenario(database.admin, 'graph_runs');
  s3 = await startS3Server({ buckets: ['status'] });
  proxy = await startConditionalProxy({ target: s3.endpoint, honour: true, fault: (method, key) => fault(method, key) });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((worker) => stopWorker(worker)));
  fault = () => null;
});
afterAll(async () => {
  await proxy?.close();
  await s3?.close();
  await database?.drop();
});

type Healthz = { status: string; reason: string | null; filesBehind?: Array<{ name: string; since: string }> };
const healthz = async (port: number) => {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { code: response.status, body: (await response.json()) as Healthz };
};
const metrics = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
/** What the bucket holds under the prefix, read past the proxy; null when nothing. */
const stored = (prefix: string, name: string) => s3.read('status', `${prefix}${name}`).then((object) => object.body, () => null);
const storedSnapshot = async (prefix: string) => JSON.parse((await stored(prefix, 'governance-status.json')) ?? 'null') as GovernanceStatus | null;

async function launch(prefix: string, env: Record<string, string>) {
  const healthPort = await findFreePort();
  const worker = startWorker([], {
    DATABASE_URL: database.readerUrl,
    SNAPSHOT_DESTINATION: `s3://status/${prefix}governance-status.json`,
    S3_ENDPOINT: proxy.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: s3Credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3Credentials.secretAccessKey,
    HEALTH_PORT: String(healthPort),
    ...env,
  });
  running.push(worker);
  return { worker, healthPort };
}

describe('a bucket that fails or is slow on the side files only', () => {
  it('503 on the history: the snapshot is published naming it since its first failure, until a tick after the fault writes it', async () => {
    const prefix = 'failing/';
    fault = (method, key) => (method === 'PUT' && key.endsWith(`/${prefix}governance-history.json`) ? { status: 503 } : null);
    const { worker, healthPort } = await launch(prefix, { SNAPSHOT_CRON: '*/2 * * * * *' });

    const first = await worker.waitFor('snapshot_published', { timeoutMs: 30_000 });
    const since = first.generatedAt as string;
    const behind = [{ name: 'governance-history.json', since }];
    expect(first.filesBehind).toEqual(behind);
    expect(worker.logs.find((line) => line.event === 'side_file_failed')).toMatchObject({ file: 'governance-history.json', behindSince: since });
    // a second tick: still behind, still since the first failure, and the snapshot still goes out
    const second = await worker.waitFor('snapshot_published', { after: worker.logs.indexOf(first) + 1, timeoutMs: 30_000 });
    expect(second.generatedAt).not.toBe(since);
    expect(second.filesBehind).toEqual(behind);
    await vi.waitFor(async () => expect((await storedSnapshot(prefix))?.generatedAt).toBe(second.generatedAt), { timeout: 10_000 });
    expect((await storedSnapshot(prefix))!.filesBehind).toEqual(behind);
    expect(await stored(prefix, 'governance-history.json')).toBeNull();
    expect(await stored(prefix, 'governance-badge.json')).not.toBeNull(); // the other side files were written

    const health = await healthz(healthPort);
    expect(health).toMatchObject({ code: 200, body: { status: 'healthy', reason: null, filesBehind: behind } });
    expect(await metrics(healthPort)).toContain(`governance_side_file_behind_since_timestamp_seconds{file="governance-history.json"} ${Date.parse(since) / 1000}\n`);

    fault = () => null;
    const mark = worker.logs.length;
    const current = await worker.waitFor('snapshot_published', { after: mark, where: (line) => line.filesBehind === undefined, timeoutMs: 30_000 });
    // the first tick that starts after the fault is lifted writes the history
    expect(worker.logs.slice(mark).filter((line) => line.event === 'snapshot_published' && line !== current).length).toBeLessThanOrEqual(1);
    await vi.waitFor(async () => expect((await storedSnapshot(prefix))?.generatedAt).toBe(current.generatedAt), { timeout: 10_000 });
    expect((await storedSnapshot(prefix))!.filesBehind).toEqual([]);
    expect(JSON.parse((await stored(prefix, 'governance-history.json'))!)).toMatchObject({ generatedAt: expect.any(String) });
    expect((await healthz(healthPort)).body.filesBehind).toBeUndefined();
    expect(await metrics(healthPort)).not.toContain('governance_side_file_behind_since_timestamp_seconds{');
  });

  it('503 on reading the JSON Feed back at a restart: the tick fails naming the file, and the first tick after the fault publishes', async () => {
    const prefix = 'unreadable/';
    const env = { SNAPSHOT_CRON: '*/2 * * * * *', STATUS_PAGE_URL: 'https://status.example.org/' };
    const before = await launch(prefix, env);
    await before.worker.waitFor('snapshot_published', { timeoutMs: 30_000 });
    await vi.waitFor(async () => expect(await stored(prefix, 'governance-feed.json')).not.toBeNull(), { timeout: 10_000 });
    await stopWorker(before.worker);

    fault = (method, key) => (method === 'GET' && key.endsWith(`/${prefix}governance-feed.json`) ? { status: 503 } : null);
    const { worker } = await launch(prefix, env);
    const failed = await worker.waitFor('snapshot_failed', { timeoutMs: 30_000 });
    expect(JSON.stringify(failed)).toContain('governance-feed.json could not be read back (get:');
    expect(worker.logs.filter((line) => line.event === 'snapshot_published')).toEqual([]);
    fault = () => null;
    const published = await worker.waitFor('snapshot_published', { timeoutMs: 30_000 });
    await vi.waitFor(async () => expect((await storedSnapshot(prefix))?.generatedAt).toBe(published.generatedAt), { timeout: 10_000 });
  });

  it('503 on one archived day: the next snapshots name the archive since then, until a tick after the fault archives every day once', async () => {
    const prefix = 'archive/';
    const day = new Date(Date.now() - 45 * 86_400_000).toISOString().slice(0, 10); // one of the 89 closed days
    const dayKey = `/status/${prefix}governance-archive/${day}.json`;
    fault = (method, key) => (method === 'PUT' && key === dayKey ? { status: 503 } : null);
    const { worker, healthPort } = await launch(prefix, { SNAPSHOT_CRON: '*/2 * * * * *' });

    const failed = await worker.waitFor('archive_failed', { timeoutMs: 60_000 });
    // the tick whose archive failed logs its snapshot after it; the next one names the archive
    const archiveBehind = (line: LogLine) => (line.filesBehind as Array<{ name: string; since: string }> | undefined)?.find((file) => file.name === 'governance-archive.json');
    const named = await worker.waitFor('snapshot_published', { after: worker.logs.indexOf(failed), where: (line) => archiveBehind(line) !== undefined, timeoutMs: 30_000 });
    const publishedBetween = worker.logs.slice(worker.logs.indexOf(failed), worker.logs.indexOf(named)).filter((line) => line.event === 'snapshot_published');
    expect(publishedBetween.length).toBeLessThanOrEqual(1);
    const since = archiveBehind(named)!.since;
    expect((await healthz(healthPort)).body).toMatchObject({ status: 'healthy', filesBehind: [{ name: 'governance-archive.json', since }] });
    expect(await metrics(healthPort)).toContain(`governance_side_file_behind_since_timestamp_seconds{file="governance-archive.json"} ${Date.parse(since) / 1000}\n`);
    expect(await stored(prefix, `governance-archive/${day}.json`)).toBeNull();

    fault = () => null;
    const mark = worker.logs.length;
    await worker.waitFor('snapshot_published', { after: mark, where: (line) => line.filesBehind === undefined, timeoutMs: 60_000 });
    expect(JSON.parse((await stored(prefix, 'governance-archive.json'))!)).toMatchObject({ count: 89 });
    const dayWrites = proxy.requests.filter((request) => request.method === 'PUT' && request.key.startsWith(`/status/${prefix}governance-archive/2`) && request.status === 200).map((request) => request.key);
    expect(new Set(dayWrites).size).toBe(dayWrites.length); // every archived day written once, never again
    expect((await healthz(healthPort)).body.filesBehind).toBeUndefined();
  });

  it('every side file answered after 4 s: the snapshot is still written on every tick, and /healthz stays healthy', async () => {
    const prefix = 'slow/';
    fault = (method, key) => (method === 'PUT' && key.startsWith(`/status/${prefix}`) && !key.endsWith('/governance-status.json') ? { delayMs: 4_000 } : null);
    // each side file may take a quarter of the tick's 6 s, all of them half: the snapshot its own time
    const { worker, healthPort } = await launch(prefix, { SNAPSHOT_CRON: '*/5 * * * * *', SNAPSHOT_TIMEOUT_MS: '6000' });

    const first = await worker.waitFor('snapshot_published', { timeoutMs: 30_000 });
    expect((first.filesBehind as Array<{ name: string }>).length).toBeGreaterThan(0); // the slow ones cost their time, not the snapshot
    const ticks = new Set<string>();
    await vi.waitFor(
      async () => {
        const snapshot = await storedSnapshot(prefix);
        if (snapshot) ticks.add(snapshot.generatedAt);
        const health = await healthz(healthPort);
        expect(health, JSON.stringify(health.body)).toMatchObject({ code: 200, body: { status: 'healthy', reason: null } });
        expect(ticks.size).toBeGreaterThanOrEqual(3);
      },
      { timeout: 60_000, interval: 500 },
    );
    expect(worker.logs.filter((line) => line.event === 'snapshot_failed')).toEqual([]);
  });
});
