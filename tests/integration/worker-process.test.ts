// The real entry point against a real PostgreSQL, a real S3-protocol server and a real folder:
// modes, exit codes, failures that keep the last good snapshot, recovery, and graceful shutdown.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseGovernanceStatus } from '../../shared/contract.ts';
import { seedScenario } from '../fixtures/scenario.ts';
import { startS3Server, s3Credentials, type S3TestServer } from '../support/s3-server.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startWorker, stopWorker, viaPort, type WorkerProcess } from '../support/worker-process.ts';

let database: TestDatabase;
let folder: string;
const running: WorkerProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ ledger: 'graph_runs' });
  await seedScenario(database.admin, 'graph_runs');
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((worker) => stopWorker(worker)));
  if (folder) await rm(folder, { recursive: true, force: true });
});
afterAll(async () => {
  await database?.drop();
});

async function freshFolder() {
  folder = await mkdtemp(join(tmpdir(), 'governance-out-'));
  return folder;
}
function launch(args: string[], env: Record<string, string | undefined>) {
  const worker = startWorker(args, env);
  running.push(worker);
  return worker;
}
const readerPassword = () => new URL(database.readerUrl).password;

describe('worker --once', () => {
  it('--stdout prints one valid snapshot, logs nothing to stdout, exits 0', async () => {
    const worker = launch(['--once', '--stdout'], { DATABASE_URL: database.readerUrl });
    expect(await worker.exited).toBe(0);
    const snapshot = JSON.parse(worker.stdout());
    expect(parseGovernanceStatus(snapshot).success).toBe(true);
    expect(snapshot.systemCredits).toBe('123456789012345678');
    expect(worker.stderr()).not.toContain(readerPassword());
  });

  it('publishes the snapshot, its badge and its schema into the folder, then exits 0', async () => {
    const out = await freshFolder();
    const target = join(out, 'governance-status.json');
    const worker = launch(['--once'], { DATABASE_URL: database.readerUrl, SNAPSHOT_DESTINATION: pathToFileURL(target).href });
    expect(await worker.exited).toBe(0);
    const snapshot = JSON.parse(await readFile(target, 'utf8'));
    expect(parseGovernanceStatus(snapshot).success).toBe(true);
    expect(JSON.parse(await readFile(join(out, 'governance-badge.json'), 'utf8'))).toMatchObject({ label: 'governance', message: snapshot.status });
    expect(JSON.parse(await readFile(join(out, 'governance-status.schema.json'), 'utf8')).type).toBe('object');
    expect((await readdir(out)).sort()).toEqual([
      'governance-archive',
      'governance-archive-day.schema.json',
      'governance-archive-recent.schema.json',
      'governance-archive.json',
      'governance-archive.schema.json',
      'governance-badge.json',
      'governance-badge.svg',
      'governance-history.json',
      'governance-history.schema.json',
      'governance-status.json',
      'governance-status.schema.json',
    ]);
    const published = worker.logs.find((line) => line.event === 'snapshot_published');
    expect(published).toMatchObject({ level: 'info', status: snapshot.status, destination: `file://${target}` });
    // one line at start says what it writes (exactly what is in the folder) and why the feeds are off
    const plans = worker.logs.filter((line) => line.event === 'publish_plan');
    expect(plans).toHaveLength(1);
    // (the archive's days and index are the record, written as days close: not side files)
    expect((plans[0]!.files as string[]).sort()).toEqual((await readdir(out)).filter((name) => !name.startsWith('governance-archive.json') && name !== 'governance-archive').sort());
    expect(plans[0]!.off).toEqual([
      { files: ['governance-feed.xml', 'governance-feed.json', 'summary.json'], reason: expect.stringMatching(/^STATUS_PAGE_URL is not set/) },
      { files: ['governance-signing-key.json'], reason: expect.stringMatching(/^SIGNING_KEY_FILE is not set/) },
    ]);
    expect(worker.stdout()).not.toContain(readerPassword());
  });

  it('exits 1 with a clear error and leaves the last good snapshot untouched when the database is unreachable', async () => {
    const out = await freshFolder();
    const target = join(out, 'governance-status.json');
    await writeFile(target, 'last good snapshot');
    const unreachable = viaPort(database.readerUrl, 1); // nothing listens on port 1
    const worker = launch(['--once'], { DATABASE_URL: unreachable, SNAPSHOT_DESTINATION: pathToFileURL(target).href });
    expect(await worker.exited).toBe(1);
    const failed = await worker.waitFor('snapshot_failed');
    expect(failed.error).toMatchObject({ code: 'ECONNREFUSED' });
    expect(await readFile(target, 'utf8')).toBe('last good snapshot');
    expect(worker.stdout()).not.toContain(readerPassword());
  });

  it('exits 78 naming each bad variable, without echoing secrets', async () => {
    const worker = launch(['--once'], {
      DATABASE_URL: 'mysql://root:topsecret@db/x',
      SNAPSHOT_DESTINATION: 'ftp://x/y.json',
      SNAPSHOT_CRON: 'sometimes',
    });
    expect(await worker.exited).toBe(78);
    const problems = worker.logs.filter((line) => line.event === 'config_invalid').map((line) => line.variable);
    expect(problems).toEqual(['DATABASE_URL', 'SNAPSHOT_CRON', 'SNAPSHOT_DESTINATION']);
    expect(worker.stdout() + worker.stderr()).not.toContain('topsecret');
  });
});

describe('scheduled worker', () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    const target = new URL(database.readerUrl);
    proxy = await startTcpProxy({ targetHost: target.hostname, targetPort: Number(target.port) });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  const everySecond = { SNAPSHOT_CRON: '* * * * * *', HEALTH_PORT: '0' };

  it('keeps the last good snapshot while the database is unreachable, and publishes again once it is back', async () => {
    const out = await freshFolder();
    const target = join(out, 'governance-status.json');
    const worker = launch([], { ...everySecond, DATABASE_URL: viaPort(database.readerUrl, proxy.port), SNAPSHOT_DESTINATION: pathToFileURL(target).href });
    await worker.waitFor('snapshot_published');

    proxy.setDown(true);
    const firstFailure = await worker.waitFor('snapshot_failed');
    const kept = await readFile(target, 'utf8');
    await worker.waitFor('snapshot_failed', { after: worker.logs.indexOf(firstFailure) + 1 });
    expect(await readFile(target, 'utf8')).toBe(kept);
    expect(parseGovernanceStatus(JSON.parse(kept)).success).toBe(true);

    proxy.setDown(false);
    await worker.waitFor('snapshot_published', { after: worker.logs.length });
    const fresh = JSON.parse(await readFile(target, 'utf8'));
    expect(Date.parse(fresh.generatedAt)).toBeGreaterThan(Date.parse(JSON.parse(kept).generatedAt));
    expect(await stopWorker(worker)).toBe(0);
    expect(worker.stdout()).not.toContain(readerPassword());
  });

  it('fails a run whose query passes the statement timeout, then recovers when the lock is gone', async () => {
    const out = await freshFolder();
    const target = join(out, 'governance-status.json');
    const worker = launch([], {
      ...everySecond,
      STATEMENT_TIMEOUT_MS: '300',
      LOCK_TIMEOUT_MS: '60000', // the lock timeout (200 ms by default) would end the wait first: polite-guest.test.ts
      DATABASE_URL: database.readerUrl,
      SNAPSHOT_DESTINATION: pathToFileURL(target).href,
    });
    await worker.waitFor('snapshot_published');

    const locker = new pg.Client({ connectionString: database.adminUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE billing_accounts IN ACCESS EXCLUSIVE MODE'); // the snapshot's read now waits
      const failure = await worker.waitFor('snapshot_failed', { after: worker.logs.length });
      expect(failure.error).toMatchObject({ message: 'canceling statement due to statement timeout', code: '57014' });
      const kept = await readFile(target, 'utf8');
      await worker.waitFor('snapshot_failed', { after: worker.logs.indexOf(failure) + 1 });
      expect(await readFile(target, 'utf8')).toBe(kept); // a failed run wrote nothing
      await locker.query('ROLLBACK');
      await worker.waitFor('snapshot_published', { after: worker.logs.length });
      expect(await readFile(target, 'utf8')).not.toBe(kept);
    } finally {
      await locker.end();
    }
    expect(await stopWorker(worker)).toBe(0);
  });

  it('rewrites the schema and the badge on the next tick after the destination folder was deleted', async () => {
    const out = join(await freshFolder(), 'site');
    const target = join(out, 'governance-status.json');
    const worker = launch([], { ...everySecond, DATABASE_URL: database.readerUrl, SNAPSHOT_DESTINATION: pathToFileURL(target).href });
    await worker.waitFor('snapshot_published');
    const sideFiles = ['governance-badge.json', 'governance-badge.svg', 'governance-status.schema.json', 'governance-history.json', 'governance-history.schema.json',
      'governance-archive-day.schema.json', 'governance-archive-recent.schema.json', 'governance-archive.schema.json', 'governance-archive.json', 'governance-archive'];
    expect(await readdir(out)).toEqual(expect.arrayContaining(sideFiles));

    await rm(out, { recursive: true, force: true }); // an operator, a cleanup job, a fresh volume
    await worker.waitFor('snapshot_published', { after: worker.logs.length });
    // the same tick wrote the snapshot and, finding them missing, every side file and the archive
    expect((await readdir(out)).sort()).toEqual(['governance-status.json', ...sideFiles].sort());
    expect((await readdir(join(out, 'governance-archive'))).length).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(join(out, 'governance-status.schema.json'), 'utf8')).type).toBe('object');
    expect(JSON.parse(await readFile(join(out, 'governance-badge.json'), 'utf8'))).toMatchObject({ label: 'governance' });
    expect(await stopWorker(worker)).toBe(0);
  });

  it('keeps the last good object while the bucket is unreachable, and publishes again once it is back', async () => {
    const s3: S3TestServer = await startS3Server({ buckets: ['status'] });
    const bucketProxy = await startTcpProxy({ targetHost: '127.0.0.1', targetPort: s3.port });
    try {
      const worker = launch([], {
        ...everySecond,
        DATABASE_URL: database.readerUrl,
        SNAPSHOT_DESTINATION: 's3://status/dao/governance-status.json',
        S3_ENDPOINT: `http://127.0.0.1:${bucketProxy.port}`,
        S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: s3Credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3Credentials.secretAccessKey,
      });
      await worker.waitFor('snapshot_published');
      bucketProxy.setDown(true);
      const failure = await worker.waitFor('snapshot_failed', { after: worker.logs.length });
      expect(failure.destination).toBe('s3://status/dao/governance-status.json');
      const kept = await s3.read('status', 'dao/governance-status.json'); // read past the proxy
      await worker.waitFor('snapshot_failed', { after: worker.logs.indexOf(failure) + 1 });
      expect((await s3.read('status', 'dao/governance-status.json')).body).toBe(kept.body);
      expect(parseGovernanceStatus(JSON.parse(kept.body)).success).toBe(true);

      bucketProxy.setDown(false);
      await worker.waitFor('snapshot_published', { after: worker.logs.length });
      const fresh = await s3.read('status', 'dao/governance-status.json');
      expect(fresh.contentType).toBe('application/json; charset=utf-8');
      expect(fresh.cacheControl).toBe('public, max-age=0, stale-while-revalidate=0'); // a schedule of one a second: no copy outlives it
      expect(Date.parse(JSON.parse(fresh.body).generatedAt)).toBeGreaterThan(Date.parse(JSON.parse(kept.body).generatedAt));
      expect(await stopWorker(worker)).toBe(0);
      expect(worker.stdout()).not.toContain(s3Credentials.secretAccessKey);
    } finally {
      await bucketProxy.close();
      await s3.close();
    }
  });

  it('on SIGTERM stops scheduling, lets the running snapshot finish, closes the pool and exits 0', async () => {
    const out = await freshFolder();
    const target = join(out, 'governance-status.json');
    // a lock timeout longer than the test keeps the snapshot blocked until the lock is released
    const worker = launch([], { ...everySecond, STATEMENT_TIMEOUT_MS: '30000', LOCK_TIMEOUT_MS: '30000', DATABASE_URL: database.readerUrl, SNAPSHOT_DESTINATION: pathToFileURL(target).href });
    await worker.waitFor('snapshot_published');

    const locker = new pg.Client({ connectionString: database.adminUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE billing_accounts IN ACCESS EXCLUSIVE MODE');
      // wait until a snapshot is blocked on the lock, then ask the worker to stop
      await waitUntil(async () => {
        const { rows } = await locker.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'governance-status-worker' AND wait_event_type = 'Lock'");
        return rows[0].n > 0;
      });
      const before = worker.logs.length;
      worker.child.kill('SIGTERM');
      await worker.waitFor('shutdown_started', { after: before });
      worker.child.kill('SIGTERM'); // a second signal is ignored, not a hard exit
      await worker.waitFor('shutdown_signal_ignored', { after: before });
      await locker.query('ROLLBACK'); // the blocked snapshot can finish now
      expect(await worker.exited).toBe(0);
      const events = worker.logs.slice(before).map((line) => line.event);
      expect(events).toContain('snapshot_published');
      expect(events.at(-1)).toBe('shutdown_complete');
      expect(worker.logs.at(-1)).toMatchObject({ drained: true });
    } finally {
      await locker.end();
    }
  });
});

function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000) {
  return vi.waitFor(async () => expect(await condition()).toBe(true), { timeout: timeoutMs, interval: 50 });
}
