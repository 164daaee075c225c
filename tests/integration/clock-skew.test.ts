// The real worker process with its own clock 15 minutes off, either way (issue 17, "the worker's
// clock"; Debian's libfaketime moves the process's wall clock, support/faketime.ts): past
// CLOCK_SKEW_LIMIT_SECONDS it publishes nothing and says why; within a wider limit its snapshot
// carries the database's time, not its own; scheduled, it stands aside and /healthz and /metrics say so.
// A clock stepped back while the worker runs (NTP correcting it) does not stop its schedule.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GovernanceStatus } from '../../shared/contract.ts';
import { createLogger } from '../../worker/logger.ts';
import { createAdvisoryLockLeader, lockKeyFor, type LockSession } from '../../worker/postgres/advisory-lock-leader.ts';
import { findFreePort } from '../../scripts/embedded-postgres.ts';
import { seedScenario } from '../fixtures/scenario.ts';
import { findFaketime } from '../support/faketime.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startWorker, stopWorker, type WorkerProcess } from '../support/worker-process.ts';

const faketime = findFaketime();
// Said loudly: the clock rules are still tested through the clock port in tests/unit/clock.test.ts.
if ('missing' in faketime) console.warn(`clock-skew.test.ts skipped: ${faketime.missing}`);
const offTime = 'env' in faketime ? faketime.env : () => ({});
const followTime = 'following' in faketime ? faketime.following : () => ({});

let database: TestDatabase;
let folder: string;
const running: WorkerProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ ledger: 'graph_runs' });
  await seedScenario(database.admin, 'graph_runs');
  folder = await mkdtemp(join(tmpdir(), 'governance-skew-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((worker) => stopWorker(worker)));
});
afterAll(async () => {
  await database?.drop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function launch(args: string[], offset: string, env: Record<string, string> = {}) {
  const worker = startWorker(args, { DATABASE_URL: database.readerUrl, ...offTime(offset), ...env });
  running.push(worker);
  return worker;
}
const databaseNow = async () => (await database.admin.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!.now.getTime();

describe.skipIf('missing' in faketime)('a worker whose clock is 15 minutes off', () => {
  for (const [offset, way] of [['+15m', 'ahead of'], ['-15m', 'behind']] as const) {
    it(`(${offset}) --once exits 1 with the default limit, naming the skew and the limit`, async () => {
      const worker = launch(['--once', '--stdout'], offset);
      expect(await worker.exited, worker.stderr()).toBe(1);
      expect(worker.stdout()).toBe('');
      const failed = worker.logs.find((line) => line.event === 'snapshot_failed');
      expect(failed).toMatchObject({ level: 'error' });
      expect((failed!.error as { message: string }).message).toMatch(
        new RegExp(`^not published: the worker's clock is (89\\d|9[01]\\d) s ${way} the database's, over the limit of 300 s \\(CLOCK_SKEW_LIMIT_SECONDS\\)`),
      );
    });

    it(`(${offset}) within CLOCK_SKEW_LIMIT_SECONDS=1200, prints a snapshot stamped with the database's time`, async () => {
      const before = await databaseNow();
      const worker = launch(['--once', '--stdout'], offset, { CLOCK_SKEW_LIMIT_SECONDS: '1200' });
      expect(await worker.exited, worker.stderr()).toBe(0);
      const after = await databaseNow();
      const snapshot = JSON.parse(worker.stdout()) as GovernanceStatus;
      // the tick's transaction began between the two reads of the database's clock: not 15 minutes off
      expect(Date.parse(snapshot.generatedAt)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(snapshot.generatedAt)).toBeLessThanOrEqual(after);
      expect(snapshot.dataAsOf).toBe(snapshot.generatedAt);
      expect(Date.parse(snapshot.staleAfter) - Date.parse(snapshot.generatedAt)).toBe(3 * 60_000);
    });
  }

  it('(+15m) scheduled: stands aside, publishes nothing, and /healthz and /metrics say why', async () => {
    const healthPort = await findFreePort();
    const out = join(folder, 'scheduled');
    const worker = launch([], '+15m', {
      SNAPSHOT_DESTINATION: pathToFileURL(join(out, 'governance-status.json')).href,
      SNAPSHOT_CRON: '* * * * * *',
      HEALTH_PORT: String(healthPort),
    });
    const aside = await worker.waitFor('leader_stood_aside', { timeoutMs: 30_000 });
    expect(aside).toMatchObject({ level: 'error', reason: expect.stringMatching(/^the worker's clock is (89\d|9[01]\d) s ahead of the database's, over the limit of 300 s/) });

    // Ticks go by (each one it does not run is counted as skipped) and none publishes.
    const skipped = async () => Number(/^governance_snapshot_runs_total\{result="skipped"\} (\d+)$/m.exec(await metrics(healthPort))?.[1] ?? 0);
    await vi.waitFor(async () => expect(await skipped()).toBeGreaterThanOrEqual(3), { timeout: 30_000, interval: 250 });
    expect(worker.logs.filter((line) => ['snapshot_published', 'leader_elected'].includes(line.event))).toEqual([]);
    expect(await readdir(out).catch(() => [])).toEqual([]);
    expect(worker.logs.filter((line) => line.event === 'leader_stood_aside')).toHaveLength(1); // once per stretch, not per tick

    const health = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { status: string; role: string; reason: string; clockSkewSeconds: number };
    expect(body).toMatchObject({ status: 'unhealthy', role: 'standby', reason: expect.stringMatching(/^the worker's clock is \d+ s ahead of the database's.*\(NTP\)$/) });
    expect(body.clockSkewSeconds).toBeGreaterThan(880);
    expect(body.clockSkewSeconds).toBeLessThan(920);
    const skew = Number(/^governance_clock_skew_seconds ([\d.e+-]+)$/m.exec(await metrics(healthPort))?.[1]);
    expect(skew).toBeGreaterThan(880);
    expect(skew).toBeLessThan(920);
  });
});

describe.skipIf('missing' in faketime)('a worker whose clock is stepped back while it runs', () => {
  it('(+4m, then right) keeps ticking: the first tick after the step publishes, not one four minutes later', async () => {
    const offsetFile = join(folder, 'stepped-offset');
    await writeFile(offsetFile, '+4m'); // within the default limit of 5 minutes: it leads and publishes
    const out = join(folder, 'stepped');
    const worker = startWorker([], { DATABASE_URL: database.readerUrl, SNAPSHOT_DESTINATION: pathToFileURL(join(out, 'governance-status.json')).href, SNAPSHOT_CRON: '*/2 * * * * *', HEALTH_PORT: '0', ...followTime(offsetFile) });
    running.push(worker);
    await worker.waitFor('snapshot_published', { timeoutMs: 30_000 });

    await writeFile(offsetFile, '+0'); // NTP steps it back to the right time
    const stepped = await worker.waitFor('clock_stepped_back', { after: worker.logs.length, timeoutMs: 30_000 });
    expect(stepped).toMatchObject({ level: 'warn', seconds: expect.any(Number) });
    // node-cron planned its next fire on the old time; the one that publishes is within a few ticks of the step
    // (a tick under way as the clock stepped may still publish before the step is seen: counted from the step)
    const mark = worker.logs.indexOf(stepped);
    const published = await worker.waitFor('snapshot_published', { after: mark, timeoutMs: 30_000 });
    const between = worker.logs.slice(mark, worker.logs.indexOf(published));
    expect(between.filter((line) => line.event === 'snapshot_skipped' || line.event === 'snapshot_failed').length).toBeLessThanOrEqual(1);
  });
});

describe('the leader lock of a replica whose clock is off', () => {
  let offsetMs = 0;
  let unlocks = 0;
  // A real session on the real lock; only the database's clock as this replica reads it is moved,
  // as if its own clock were `offsetMs` ahead.
  const openSession = (): LockSession => {
    const client = new pg.Client({ connectionString: database.readerUrl, application_name: 'governance-status-worker-leader' });
    return {
      get processID() {
        return (client as unknown as { processID?: number | null }).processID;
      },
      connect: () => client.connect(),
      async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]) {
        if (text.includes('pg_advisory_unlock')) unlocks += 1;
        const result = await client.query<R>(text, values);
        for (const row of result.rows as Array<{ database_now?: Date }>) if (row.database_now) row.database_now = new Date(row.database_now.getTime() - offsetMs);
        return result;
      },
      end: () => client.end(),
      on: (event, listener) => client.on(event, listener),
    };
  };
  const pair = (test: string) => {
    const lines: Array<{ event: string }> = [];
    const key = lockKeyFor(`file://${folder}/${test}/governance-status.json`);
    const skewed = createAdvisoryLockLeader({ connectionString: database.readerUrl, lockKey: key, clockSkewLimitMs: 300_000, openSession, logger: createLogger((line) => lines.push(JSON.parse(line))) });
    const healthy = createAdvisoryLockLeader({ connectionString: database.readerUrl, lockKey: key, clockSkewLimitMs: 300_000, logger: createLogger(() => {}) });
    return { lines, skewed, healthy };
  };
  afterEach(() => {
    [offsetMs, unlocks] = [0, 0];
  });

  it('is given back once, not taken again while the clock is off, and taken once the clock is right', async () => {
    offsetMs = 15 * 60_000;
    const { lines, skewed, healthy } = pair('lock-test');
    try {
      expect([await skewed.shouldRun(), await skewed.shouldRun(), await skewed.shouldRun()]).toEqual([false, false, false]);
      expect(skewed.problem()).toMatch(/^the worker's clock is 9\d\d s ahead of the database's/);
      expect(unlocks).toBe(1); // it took the lock on its first check, before it knew, and gave it back
      expect(lines.filter((line) => line.event === 'leader_stood_aside')).toHaveLength(1);
      expect(await healthy.shouldRun()).toBe(true); // the lock was free for a replica with a good clock
      await healthy.close();

      offsetMs = 0; // its clock is right again: the next check measures it, the one after leads
      expect([await skewed.shouldRun(), await skewed.shouldRun()]).toEqual([false, true]);
      expect(skewed.problem()).toBeNull();
      expect(unlocks).toBe(1);
    } finally {
      await Promise.all([skewed.close(), healthy.close()]);
    }
  });

  it('is given back by a leader whose clock drifts off, which says it stood aside', async () => {
    const { lines, skewed, healthy } = pair('lock-drift');
    try {
      await vi.waitFor(async () => expect(await skewed.shouldRun()).toBe(true), { timeout: 10_000, interval: 50 });
      expect(await healthy.shouldRun()).toBe(false);
      offsetMs = 15 * 60_000;
      expect(await skewed.shouldRun()).toBe(false);
      expect(unlocks).toBe(1);
      expect(lines.filter((line) => ['leader_lost', 'leader_stood_aside'].includes(line.event))).toEqual([
        expect.objectContaining({ event: 'leader_lost', error: expect.stringMatching(/^the worker's clock is 9\d\d s ahead of the database's/) }),
        expect.objectContaining({ event: 'leader_stood_aside', reason: expect.stringMatching(/^the worker's clock is 9\d\d s ahead of the database's/) }),
      ]);
      expect(await healthy.shouldRun()).toBe(true); // the lock was given back to a replica with a good clock
      expect(await skewed.shouldRun()).toBe(false);
      expect(lines.filter((line) => line.event === 'leader_stood_aside')).toHaveLength(1); // once per stretch
    } finally {
      await Promise.all([skewed.close(), healthy.close()]);
    }
  });
});

async function metrics(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}
