// The worker is a guest in the application's database: a migration's DDL must never wait on it for
// longer than the lock timeout, never deadlock with it, and a frozen or abandoned worker must let go
// of its locks. Real PostgreSQL, the real source and the real worker process.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultRules, queryFor } from '../../worker/build-snapshot.ts';
import { createLogger } from '../../worker/logger.ts';
import { createBackendCanceller, createPostgresGovernanceSource } from '../../worker/postgres/postgres-governance-source.ts';
import { scenarioNow, seedScenario, systemBillingAccountId, systemPrincipalId } from '../fixtures/scenario.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startWorker, stopWorker, type WorkerProcess } from '../support/worker-process.ts';
import { readFacts } from '../../bench/plans.ts';

let database: TestDatabase;
const cleanups: Array<() => Promise<unknown>> = [];
const query = queryFor(scenarioNow, { principalId: systemPrincipalId, billingAccountId: systemBillingAccountId });

beforeAll(async () => {
  database = await createTestDatabase({ ledger: 'graph_runs' });
  await seedScenario(database.admin, 'graph_runs');
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await database?.drop();
});

/** A session of the application's own: a migration, or a client doing its normal work. */
async function applicationSession(name: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: database.adminUrl, application_name: name });
  client.on('error', () => {});
  await client.connect();
  cleanups.push(() => client.end().catch(() => {}));
  return client;
}

function readerPool(options: { queryTimeoutMs?: number; applicationName?: string } = {}): pg.Pool {
  const { queryTimeoutMs, applicationName = 'governance-status-worker' } = options;
  const pool = new pg.Pool({ connectionString: database.readerUrl, max: 1, application_name: applicationName, query_timeout: queryTimeoutMs });
  pool.on('error', () => {});
  cleanups.push(() => pool.end());
  return pool;
}

/** The worker's backends as PostgreSQL sees them. */
async function workerBackends(applicationName = 'governance-status-worker') {
  const { rows } = await database.admin.query<{ pid: number; state: string; wait_event_type: string | null; xact_open: boolean }>(
    `SELECT pid, state, wait_event_type, xact_start IS NOT NULL AS xact_open
       FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`,
    [database.name, applicationName],
  );
  return rows;
}

/** The first truthy value `probe` gives, asked again every 10 ms for up to `timeoutMs`. */
function waitUntil<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await probe();
      if (!value) throw new Error(`${what}: not met yet`);
      return value;
    },
    { timeout: timeoutMs, interval: 10 },
  );
}

describe('behind a migration that holds ACCESS EXCLUSIVE', () => {
  it('the snapshot read fails fast with a lock timeout that says so, long before the statement timeout', async () => {
    const migration = await applicationSession('migration');
    await migration.query('BEGIN');
    await migration.query('ALTER TABLE schedules ADD COLUMN paused_reason text');
    // the defaults main.ts uses, except a statement timeout long enough to tell the two apart
    const source = createPostgresGovernanceSource(readerPool(), { statementTimeoutMs: 30_000 });
    const failure = await readFacts(source, query).then(
      () => null,
      (error: unknown) => error,
    );
    // 55P03, not the statement timeout's 57014: it was the lock timeout that ended it
    expect(failure).toMatchObject({ code: '55P03', message: expect.stringMatching(/^gave up waiting for a lock after lock_timeout \(200 ms\)/) });
    expect((failure as Error).cause).toMatchObject({ message: 'canceling statement due to lock timeout' });
    await migration.query('ROLLBACK');
    expect(await workerBackends()).toEqual([expect.objectContaining({ state: 'idle', xact_open: false })]); // nothing held afterwards
  });

  it('a migration that alters two tables never deadlocks with the worker: the worker steps aside', async () => {
    // The cycle of the incident: the migration locks ai_threads (read last by the worker), the
    // worker, holding billing_accounts (read first), queues behind it, then the migration wants
    // billing_accounts. Lock timeout 500 ms, under the worker's own deadlock_timeout (1 s), and a
    // migration that would wait 60 s before its deadlock check: only the lock timeout can end this.
    const source = createPostgresGovernanceSource(readerPool(), { statementTimeoutMs: 60_000, lockTimeoutMs: 500 });
    for (let attempt = 1; ; attempt += 1) {
      const migration = await applicationSession('migration');
      await migration.query("SET deadlock_timeout = '60s'");
      await migration.query('BEGIN');
      await migration.query('ALTER TABLE ai_threads ADD COLUMN summary text');
      const read = readFacts(source, query).then(
        () => null,
        (error: unknown) => error,
      );
      const waiting = await waitUntil(async () => (await workerBackends()).find((backend) => backend.wait_event_type === 'Lock'), 20_000, 'worker waits on ai_threads');
      const { rows: migrationPid } = await migration.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      let settled = false;
      const second = migration.query('ALTER TABLE billing_accounts ADD COLUMN note text').finally(() => (settled = true));
      // Was the migration really blocked by the worker (the cycle formed), or did the worker give up first?
      const blockers = await waitUntil(async () => {
        const { rows } = await database.admin.query<{ blockers: number[] }>('SELECT pg_blocking_pids($1) AS blockers', [migrationPid[0]!.pid]);
        return rows[0]!.blockers.length > 0 ? rows[0]!.blockers : settled && [];
      });
      await second; // never "deadlock detected" (40P01), never the 60 s: the worker's lock timeout lets it through
      const failure = await read;
      await migration.query('ROLLBACK');
      await migration.end();
      expect(failure).toMatchObject({ code: '55P03' }); // the worker, not the migration, gave up
      if (!blockers.includes(waiting.pid)) {
        if (attempt < 5) continue; // the worker had already given up before the second ALTER: try again
        throw new Error('the cycle never formed in 5 attempts');
      }
      break;
    }
  });
});

describe('the worker process behind a migration', () => {
  const running: WorkerProcess[] = [];
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'governance-guest-'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((worker) => stopWorker(worker)));
  });
  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });
  const launch = (env: Record<string, string>) => {
    const worker = startWorker([], { DATABASE_URL: database.readerUrl, SNAPSHOT_CRON: '* * * * * *', HEALTH_PORT: '0', ...env });
    running.push(worker);
    return worker;
  };

  it('logs one failed tick per tick naming the lock timeout, keeps the last good snapshot, and recovers', async () => {
    const target = join(folder, 'lock', 'governance-status.json');
    const worker = launch({ SNAPSHOT_DESTINATION: pathToFileURL(target).href, STATEMENT_TIMEOUT_MS: '20000' });
    await worker.waitFor('snapshot_published', { timeoutMs: 30_000 });

    const migration = await applicationSession('migration');
    await migration.query('BEGIN');
    await migration.query('LOCK TABLE charge_receipts IN ACCESS EXCLUSIVE MODE');
    const mark = worker.logs.length;
    const first = await worker.waitFor('snapshot_failed', { after: mark });
    // The last good snapshot: a tick past its read of the table when the lock came may still have
    // published it; ticks never overlap, so once one has failed, none that began before it runs.
    const failing = worker.logs.indexOf(first);
    const kept = await readFile(target, 'utf8');
    const second = await worker.waitFor('snapshot_failed', { after: failing + 1 });
    for (const failure of [first, second]) {
      expect(failure.error).toMatchObject({ code: '55P03', message: expect.stringContaining('lock_timeout (200 ms)') });
    }
    // one failure per tick, never a retry storm against the locked table: every failure its own tick
    const ticks = worker.logs.slice(mark).filter((line) => line.event === 'snapshot_failed').map((line) => line.tick);
    expect(ticks.every((tick) => typeof tick === 'string')).toBe(true);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(worker.logs.slice(failing).filter((line) => line.event === 'snapshot_published')).toEqual([]);
    expect(await readFile(target, 'utf8')).toBe(kept);

    await migration.query('ROLLBACK');
    await worker.waitFor('snapshot_published', { after: worker.logs.length, timeoutMs: 30_000 });
    expect(await readFile(target, 'utf8')).not.toBe(kept);
  });

  it('frozen (SIGSTOP) inside its transaction, it loses the session and its locks within the idle timeout, and recovers after SIGCONT', async () => {
    const target = join(folder, 'frozen', 'governance-status.json');
    // A long lock timeout lets the test park the worker deterministically inside its transaction:
    // it waits for ai_threads (its last read) while holding the other tables.
    const worker = launch({
      SNAPSHOT_DESTINATION: pathToFileURL(target).href,
      STATEMENT_TIMEOUT_MS: '60000',
      LOCK_TIMEOUT_MS: '60000',
      IDLE_IN_TRANSACTION_TIMEOUT_MS: '1500',
      SNAPSHOT_TIMEOUT_MS: '120000',
    });
    await worker.waitFor('snapshot_published', { timeoutMs: 30_000 });

    const blocker = await applicationSession('blocker');
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE ai_threads IN ACCESS EXCLUSIVE MODE');
    const parked = await waitUntil(async () => (await workerBackends()).find((backend) => backend.wait_event_type === 'Lock'), 20_000, 'worker waits on ai_threads');
    worker.child.kill('SIGSTOP');
    try {
      await blocker.query('ROLLBACK'); // the worker's statement completes; the frozen client never sends COMMIT
      const idle = await waitUntil(async () => (await workerBackends()).find((backend) => backend.pid === parked.pid && backend.state === 'idle in transaction'), 10_000, 'worker idle in transaction');
      expect(idle.xact_open).toBe(true);
      const { rows: held } = await database.admin.query('SELECT relation::regclass::text AS name FROM pg_locks WHERE pid = $1 AND locktype = $2', [parked.pid, 'relation']);
      expect(held.map((row) => row.name)).toEqual(expect.arrayContaining(['billing_accounts', 'schedules', 'ai_threads']));

      // The application's migration: it waits for the frozen worker only until the server ends that
      // session (a frozen client sends nothing: without the idle timeout it would wait for ever).
      const migration = await applicationSession('migration');
      await migration.query('ALTER TABLE schedules ADD COLUMN paused_reason text');
      expect((await workerBackends()).find((backend) => backend.pid === parked.pid)).toBeUndefined();
      await migration.query('ALTER TABLE schedules DROP COLUMN paused_reason');
    } finally {
      worker.child.kill('SIGCONT');
    }
    // Resumed, it finds its session gone: one failed tick that says why (before, this crashed the process).
    const failure = await worker.waitFor('snapshot_failed', { timeoutMs: 30_000 });
    expect(failure.error).toMatchObject({
      code: '25P03',
      message: expect.stringMatching(/^the server ended the session after idle_in_transaction_session_timeout \(1500 ms\): the worker was paused inside its transaction/),
    });
    await worker.waitFor('snapshot_published', { after: worker.logs.indexOf(failure) + 1, timeoutMs: 30_000 });
    expect(worker.child.exitCode).toBeNull(); // it survived the lost session
  });
});

describe('a statement the client gave up on', () => {
  it('is cancelled on the server: no reader backend is left running or waiting', async () => {
    const logs: string[] = [];
    const logger = createLogger((line) => logs.push(line));
    // client-side timeout far below the server-side ones, as when the server stops answering in time
    const source = createPostgresGovernanceSource(readerPool({ queryTimeoutMs: 500 }), {
      statementTimeoutMs: 60_000,
      lockTimeoutMs: 60_000,
      cancelBackend: createBackendCanceller(database.readerUrl, logger),
    });
    const migration = await applicationSession('migration');
    await migration.query('BEGIN');
    await migration.query('LOCK TABLE schedules IN ACCESS EXCLUSIVE MODE');
    await expect(readFacts(source, query)).rejects.toThrow('Query read timeout');
    expect(logs.map((line) => JSON.parse(line))).toContainEqual(expect.objectContaining({ event: 'statement_cancelled', cancelled: true }));
    // The statement would have waited 60 s for the lock; cancelled, it is gone at once.
    await waitUntil(async () => (await workerBackends()).every((backend) => backend.state !== 'active'), 5_000, 'no active reader backend');
    const { rows } = await database.admin.query('SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.datname = $1 AND a.usename = $2 AND NOT l.granted', [
      database.name,
      new URL(database.readerUrl).username,
    ]);
    expect(rows[0].n).toBe(0);
    await migration.query('ROLLBACK');
  });

  it('without the cancel, the abandoned statement would have kept waiting on the server', async () => {
    const source = createPostgresGovernanceSource(readerPool({ queryTimeoutMs: 500 }), { statementTimeoutMs: 60_000, lockTimeoutMs: 60_000 });
    const migration = await applicationSession('migration');
    await migration.query('BEGIN');
    await migration.query('LOCK TABLE schedules IN ACCESS EXCLUSIVE MODE');
    await expect(readFacts(source, query)).rejects.toThrow('Query read timeout');
    // Not "still there after a while": still there after the same read with the cancel, started only
    // now behind the same lock, has given up, been cancelled, and its backend has stopped.
    const twin = createPostgresGovernanceSource(readerPool({ queryTimeoutMs: 500, applicationName: 'governance-status-twin' }), {
      statementTimeoutMs: 60_000,
      lockTimeoutMs: 60_000,
      cancelBackend: createBackendCanceller(database.readerUrl, createLogger(() => {})),
    });
    await expect(readFacts(twin, query)).rejects.toThrow('Query read timeout');
    await waitUntil(async () => (await workerBackends('governance-status-twin')).every((backend) => backend.state !== 'active'), 5_000, 'the cancelled twin stopped');
    expect(await workerBackends()).toContainEqual(expect.objectContaining({ state: 'active', wait_event_type: 'Lock' }));
    await migration.query('ROLLBACK'); // the orphan gets its lock, tries to answer a closed socket and ends
    await waitUntil(async () => (await workerBackends()).length === 0, 10_000, 'orphan backend gone');
  });
});
