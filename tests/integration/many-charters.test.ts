// 1,000 system charters: the snapshot is still valid, made within the statement timeout by the same
// statements as with six (nothing in them grows with the number of charters: no branch, no bound
// value per charter), lists limits.charters of them with chartersTotal, and leaves no backend of
// the reader role running (JIT is off in its transaction: a JIT-compiling backend ignores cancels).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { explainAsTenant, readsOf, recordingPool, type Statement } from '../../bench/plans.ts';
import { systemTenant } from '../../scripts/cogni/scale-seed.ts';
import { limits } from '../../shared/contract.ts';
import { buildSnapshot, defaultRules, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { defaults } from '../../worker/config.ts';
import { createLogger } from '../../worker/logger.ts';
import { createPostgresGovernanceSource } from '../../worker/postgres/postgres-governance-source.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const charters = 1_000;
const now = new Date('2026-11-21T12:34:50.000Z');
const settings: SnapshotSettings = {
  principalId: systemTenant.principalId,
  billingAccountId: systemTenant.billingAccountId,
  staleAfterMs: () => 180_000,
  rules: defaultRules,
};

describe.each(['graph_runs', 'schedule_runs'] as const)(`${charters} system charters on %s`, (ledger) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase({ ledger });
    await seedCharters(database.admin, ledger);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('give a valid snapshot within the statement timeout, listing the most severe first, and leave no backend running', async () => {
    const reader = new pg.Pool({ connectionString: database.readerUrl, max: 1, application_name: 'many-charters-test' });
    const recorded: Statement[] = [];
    try {
      const source = createPostgresGovernanceSource(recordingPool(reader, recorded), { statementTimeoutMs: defaults.STATEMENT_TIMEOUT_MS, databaseClock: 'worker' });
      const snapshot = await buildSnapshot(source, settings, now, createLogger(() => {})); // validated against the contract

      expect(snapshot.chartersTotal).toBe(charters);
      expect(snapshot.charters).toHaveLength(limits.charters);
      // Every 10th charter has failed its latest run: those 100 are the ones listed, by name.
      expect(snapshot.charters.every((charter) => charter.state === 'failing')).toBe(true);
      expect(snapshot.charters.map((charter) => charter.name)).toEqual(
        Array.from({ length: 100 }, (_, index) => `Charter-${String(index * 10).padStart(4, '0')}`),
      );
      expect(snapshot.failedRunsTotal).toBe(100);

      // The tick's statements do not grow with the charters: the same eight reads, each with at most five values.
      // The last transaction is the tick's (the history's days are read before it, once).
      const lastBegin = recorded.findLastIndex((statement) => /^BEGIN/.test(statement.text));
      const reads = readsOf(recorded.slice(lastBegin));
      expect(reads).toHaveLength(8);
      expect(reads.every((statement) => (statement.values ?? []).length <= 5 && !/UNION/.test(statement.text))).toBe(true);
      // And their work grows with the charters' rows, not with their square: per statement at most
      // 2 buffers per row read, three descents (4 pages each) per charter and a constant: the charters
      // statement probes each charter's latest slots before its change, its first run and its latest
      // finished run before the window, which the worker reads every tick rather than remembers.
      const plans = await explainAsTenant(reader, systemTenant.principalId, reads, ledger);
      const over = plans.filter((plan) => plan.buffers + plan.planningBuffers > 2 * plan.rows + 3 * 4 * charters + 250);
      expect(over.map((plan) => `${plan.label}: ${plan.buffers + plan.planningBuffers} buffers for ${plan.rows} rows`)).toEqual([]);

      const running = await database.admin.query(
        `SELECT state, left(query, 60) AS query FROM pg_stat_activity WHERE datname = $1 AND usename = $2 AND state <> 'idle'`,
        [database.name, inject('readerRole')],
      );
      expect(running.rows).toEqual([]);
    } finally {
      await reader.end();
    }
    // After the pool has closed, no backend of the reader role is left at all (drop() checks it too).
    // A backend leaves pg_stat_activity a moment after its client said goodbye: wait up to 5 s.
    await vi.waitFor(
      async () => expect((await database.admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND usename = $2', [database.name, inject('readerRole')])).rows).toEqual([]),
      { timeout: 5_000, interval: 50 },
    );
  });
});

/**
 * The system and 1,000 daily charters (minute and hour from the index, UTC), each with a run for
 * each of its last two fires; every 10th charter's latest run failed. One other tenant, so that RLS
 * has something to hide.
 */
async function seedCharters(db: pg.Pool, ledger: 'graph_runs' | 'schedule_runs'): Promise<void> {
  const { principalId, billingAccountId } = systemTenant;
  await db.query(`INSERT INTO users (id, name) VALUES ($1, 'Cogni system'), ('user-other', 'Other')`, [principalId]);
  await db.query(
    `INSERT INTO billing_accounts (id, owner_user_id, balance_credits, is_system_tenant, slug)
     VALUES ($1, $2, 48000000000, true, 'cogni_system'), ('account-other', 'user-other', 5, false, 'other')`,
    [billingAccountId, principalId],
  );
  await db.query(`INSERT INTO execution_grants (user_id, billing_account_id, scopes) SELECT owner_user_id, id, '{graph:run}' FROM billing_accounts`);
  await db.query(
    `INSERT INTO schedules (owner_user_id, execution_grant_id, graph_id, input, cron, timezone, temporal_schedule_id, created_at, updated_at)
     SELECT g.user_id, g.id, 'governance', '{}', (n % 60) || ' ' || (n % 24) || ' * * *', 'UTC',
            CASE WHEN g.user_id = $1 THEN 'governance:charter-' ELSE 'tenant:' END || lpad(n::text, 4, '0'),
            $2::timestamptz - interval '30 days', $2::timestamptz - interval '30 days'
       FROM execution_grants g CROSS JOIN generate_series(0, $3::int - 1) n
      WHERE g.user_id = $1 OR n < 10`,
    [principalId, now, charters],
  );
  const generation2 = ledger === 'graph_runs';
  await db.query(
    `INSERT INTO ${ledger} (id, schedule_id, run_id, scheduled_for, started_at, completed_at, status, error_message
                           ${generation2 ? ', requested_by, error_code' : ''})
     SELECT gen_random_uuid(), s.id, s.temporal_schedule_id || '-' || d, f.at, f.at + interval '2 seconds', f.at + interval '40 seconds',
            CASE WHEN d = 0 AND n % 10 = 0 THEN 'error' ELSE 'success' END,
            CASE WHEN d = 0 AND n % 10 = 0 THEN 'insufficient_credits' END
            ${generation2 ? `, s.owner_user_id, CASE WHEN d = 0 AND n % 10 = 0 THEN 'insufficient_credits' END` : ''}
       FROM schedules s
      CROSS JOIN LATERAL (SELECT right(s.temporal_schedule_id, 4)::int AS n) c
      CROSS JOIN generate_series(0, 1) d
      CROSS JOIN LATERAL (SELECT date_trunc('day', $1::timestamptz) + (n % 24) * interval '1 hour' + (n % 60) * interval '1 minute' AS today) t
      CROSS JOIN LATERAL (
        SELECT CASE WHEN t.today <= $1::timestamptz - interval '1 minute' THEN t.today ELSE t.today - interval '1 day' END
               - d * interval '1 day' AS at) f`,
    [now],
  );
  await db.query('ANALYZE');
}
