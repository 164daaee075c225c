// The worker reads for a public file only as a role that row-level security filters on every table
// it reads: not only a superuser or a BYPASSRLS role is refused, but also a role that owns a table
// which does not force RLS on its owner, and any role when a table it reads has RLS disabled. And the
// queries keep other tenants' rows out by themselves too (the second guard).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSnapshot, defaultRules, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createLogger } from '../../worker/logger.ts';
import { createPostgresGovernanceSource } from '../../worker/postgres/postgres-governance-source.ts';
import { findLedger, readThreads } from '../../worker/postgres/queries.ts';
import type { GovernanceQuery } from '../../shared/ports.ts';
import { otherUserId, scenarioNow, scheduleIds, seedScenario, systemBillingAccountId, systemPrincipalId } from '../fixtures/scenario.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const settings: SnapshotSettings = { principalId: systemPrincipalId, billingAccountId: systemBillingAccountId, staleAfterMs: () => 180_000, rules: defaultRules };
const logger = createLogger(() => {});

describe('row-level security on every table the snapshot reads (graph_runs)', () => {
  let database: TestDatabase;
  let reader: pg.Pool;
  const role = () => new URL(database.readerUrl).username;
  const snapshot = () => buildSnapshot(createPostgresGovernanceSource(reader, { statementTimeoutMs: 5_000, databaseClock: 'worker' }), settings, scenarioNow, logger);

  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'graph_runs' });
    await seedScenario(database.admin, 'graph_runs');
    reader = new pg.Pool({ connectionString: database.readerUrl, max: 1 });
  });
  afterAll(async () => {
    await reader?.end();
    await database?.drop();
  });

  it('reads as the reader role while every table forces RLS', async () => {
    const built = await snapshot();
    // thread-weekly's latest run is another tenant's (other-2, a success): RLS hides it
    expect(built.recentRuns.find((run) => run.id === 'thread-weekly')?.outcome).toBe('running');
  });

  it.each([
    ['graph_runs', 'ALTER TABLE graph_runs DISABLE ROW LEVEL SECURITY', 'ALTER TABLE graph_runs ENABLE ROW LEVEL SECURITY'],
    ['llm_charge_details', 'ALTER TABLE llm_charge_details DISABLE ROW LEVEL SECURITY', 'ALTER TABLE llm_charge_details ENABLE ROW LEVEL SECURITY'],
    // the owner of a table is filtered only where the table forces RLS on its owner
    ['ai_threads', 'ALTER TABLE ai_threads NO FORCE ROW LEVEL SECURITY; ALTER TABLE ai_threads OWNER TO :role', 'ALTER TABLE ai_threads OWNER TO postgres; ALTER TABLE ai_threads FORCE ROW LEVEL SECURITY; GRANT SELECT (id, owner_user_id, state_key, metadata, created_at, updated_at, deleted_at) ON ai_threads TO :role'],
  ])('refuses to read when RLS does not filter %s for its role', async (table, weaken, restore) => {
    const sql = (text: string) => text.replaceAll(':role', pg.escapeIdentifier(role()));
    await database.admin.query(sql(weaken));
    try {
      await expect(snapshot()).rejects.toThrow(`row-level security does not filter ${table} for database role ${role()}`);
    } finally {
      await database.admin.query(sql(restore));
    }
    await expect(snapshot()).resolves.toMatchObject({ schemaVersion: 1 });
  });

  /**
   * Runs `insert` into graph_runs as the other tenant, through RLS (a role without BYPASSRLS, the
   * tenant's app.current_user_id), then `check`, then removes the rows it wrote (their run_id `runId`).
   */
  async function writtenByOtherTenant(insert: string, params: unknown[], runId: string, check: () => Promise<void>) {
    const client = await database.admin.connect();
    try {
      await client.query('BEGIN');
      await client.query('CREATE ROLE other_tenant_writer NOLOGIN NOBYPASSRLS; GRANT SELECT, INSERT ON graph_runs, schedules TO other_tenant_writer; SET LOCAL ROLE other_tenant_writer');
      await client.query("SELECT set_config('app.current_user_id', $1, true)", [otherUserId]);
      await client.query(insert, params);
      await client.query('RESET ROLE; REVOKE ALL ON graph_runs, schedules FROM other_tenant_writer; DROP ROLE other_tenant_writer; COMMIT');
      await check();
    } finally {
      await client.query('ROLLBACK');
      await client.query('DELETE FROM graph_runs WHERE run_id = $1', [runId]);
      client.release();
    }
  }

  it("does not take another tenant's run that names the system as its requester for the system's", async () => {
    // graph_runs' policy lets a tenant write a run of its own schedule with requested_by = anyone: as
    // another tenant, through RLS, a later run naming thread-weekly (its state_key is public) as failed
    await writtenByOtherTenant(
      `INSERT INTO graph_runs (schedule_id, run_id, scheduled_for, started_at, status, requested_by, state_key)
       VALUES ($1, 'other-forged', '2026-11-21T12:33:00Z', '2026-11-21T12:33:00Z', 'error', $2, 'thread-weekly')`,
      [scheduleIds.other, systemPrincipalId],
      'other-forged',
      async () => {
        expect((await snapshot()).recentRuns.find((run) => run.id === 'thread-weekly')).toMatchObject({ outcome: 'running', charterId: 'governance:engineering' });
      },
    );
  });

  it("counts no run another tenant wrote for a system schedule, as itself, whose uuid it learned", async () => {
    const before = await snapshot();
    // the policy lets it through: requested_by is the writer itself (the foreign key ignores RLS)
    // in the window, naming the system's latest thread; and long before it, as the charter's first and latest finished runs
    await writtenByOtherTenant(
      `INSERT INTO graph_runs (schedule_id, run_id, scheduled_for, started_at, completed_at, status, error_message, requested_by, state_key)
       VALUES ($1, 'other-forged-run', '2026-11-21T11:30:00Z', '2026-11-21T12:30:00Z', '2026-11-21T12:30:05Z', 'error', 'forged', $2, 'thread-weekly'),
              ($1, 'other-forged-run', '2026-10-01T11:30:00Z', '2026-10-01T11:30:00Z', '2026-10-01T11:30:05Z', 'success', NULL, $2, NULL),
              ($3, 'other-forged-run', '2026-11-18T09:00:00Z', '2026-11-18T09:00:00Z', '2026-11-18T09:00:05Z', 'error', NULL, $2, NULL)`,
      [scheduleIds.engineering, otherUserId, scheduleIds.sustainability],
      'other-forged-run',
      async () => {
        expect(await snapshot()).toEqual(before);
      },
    );
  });

  it("joins a thread only to the system tenant's runs, even where RLS lets every row through", async () => {
    // as the superuser, whom no policy filters: the query's own WHERE must keep other-2 out
    const client = await database.admin.connect();
    try {
      await client.query('BEGIN READ ONLY');
      const query = { principalId: systemPrincipalId, now: scenarioNow, threadsLimit: 10 } as GovernanceQuery;
      const threads = await readThreads(client, await findLedger(client), query);
      expect(threads.find((thread) => thread.stateKey === 'thread-weekly')).toMatchObject({ runStatus: 'running' });
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
