import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../worker/logger.ts';
import { createAdvisoryLockLeader, lockKeyFor, type Leader } from '../../worker/postgres/advisory-lock-leader.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { viaPort } from '../support/worker-process.ts';

describe('advisory lock leader', () => {
  let database: TestDatabase;
  const leaders: Leader[] = [];
  const logger = createLogger(() => {});
  const make = (key = lockKeyFor('file:///srv/governance-status.json'), url = database.readerUrl) => {
    const leader = createAdvisoryLockLeader({ connectionString: url, lockKey: key, logger });
    leaders.push(leader);
    return leader;
  };
  const lockSessions = async () => {
    const { rows } = await database.admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'governance-status-worker-leader' AND datname = $1",
      [database.name],
    );
    return rows[0]!.n;
  };

  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'graph_runs' });
  });
  afterAll(async () => {
    await Promise.all(leaders.map((leader) => leader.close()));
    await database?.drop();
  });

  it('answers overlapping calls with one session and one answer', async () => {
    const first = make();
    expect(await Promise.all([first.shouldRun(), first.shouldRun(), first.shouldRun()])).toEqual([true, true, true]);
    expect(first.isLeader()).toBe(true);
    expect(await lockSessions()).toBe(1);

    const second = make();
    expect(await Promise.all([second.shouldRun(), second.shouldRun()])).toEqual([false, false]);
    expect(second.isDatabaseReachable()).toBe(true);
    expect(await lockSessions()).toBe(2); // at most one lock connection per replica

    await first.close(); // ends the session: the lock is free at once
    expect(await second.shouldRun()).toBe(true);
    expect(await first.shouldRun()).toBe(false); // closed for good
    await second.close();
    expect(await lockSessions()).toBe(0);
  });

  it('elects independently for different destinations', async () => {
    const a = make(lockKeyFor('s3://a/governance-status.json'));
    const b = make(lockKeyFor('s3://b/governance-status.json'));
    expect([await a.shouldRun(), await b.shouldRun()]).toEqual([true, true]);
  });

  it('is no leader, and says why, while the database is out of reach', async () => {
    const unreachable = make(undefined, viaPort(database.readerUrl, 1));
    expect(await unreachable.shouldRun()).toBe(false);
    expect(unreachable.isDatabaseReachable()).toBe(false);
    expect(unreachable.lastError()).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a read-only role without BYPASSRLS may take the lock', async () => {
    const { rows } = await database.admin.query('SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = $1', [new URL(database.readerUrl).username]);
    expect(rows[0]).toEqual({ rolbypassrls: false, rolsuper: false });
    const client = new pg.Client({ connectionString: database.readerUrl });
    await client.connect();
    try {
      await client.query('BEGIN READ ONLY');
      const { rows: locked } = await client.query('SELECT pg_try_advisory_xact_lock(42) AS ok');
      expect(locked[0]).toEqual({ ok: true });
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  });
});
