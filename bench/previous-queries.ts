// THE PREVIOUS RELEASE'S QUERY SHAPE, kept for comparison only: a copy of the statements of
// worker/postgres/queries.ts at commit e20c5b0 (their text unchanged; types made local), run in a
// transaction as that release's source ran them (the tenant and a statement timeout set, JIT left
// on). The worker no longer runs any of this. The bench measures it beside the current worker on the
// same databases, to show what issue 9's fix saves: per charter, its latest success walks back
// through a whole failure streak; once a charter is the ledger's most common schedule_id, its
// failed-runs branch may be read through (scheduled_for), every tenant's runs of the day; and the
// failed-runs statement has one UNION ALL branch per charter, each with the ledger's RLS subquery.
import pg from 'pg';
import type { ClientBase } from 'pg';
import type { GovernanceQuery } from '../shared/ports.ts';
import { queryFor } from '../worker/build-snapshot.ts';
import { explainAll, recordingClient, type QueryPlan, type Statement } from './plans.ts';
import { settings, summarize, type Timings } from './snapshot-cost.ts';
import type { StatStatements } from './stat-statements.ts';

type Ledger = { table: 'schedule_runs' | 'graph_runs'; hasErrorCode: boolean };
type PreviousCharter = { id: string; temporalScheduleId: string; lastRun: { status: string; scheduledFor: Date } | null; lastSuccessAt: Date | null };
export type PreviousFacts = { spent: bigint; charters: PreviousCharter[]; failedRunIds: string[]; threadKeys: string[] };

async function findLedger(client: ClientBase): Promise<Ledger> {
  const { rows } = await client.query<{ relname: 'schedule_runs' | 'graph_runs'; has_error_code: boolean }>(
    `SELECT c.relname,
            EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attname = 'error_code' AND NOT a.attisdropped) AS has_error_code
       FROM pg_class c
      WHERE c.oid IN (to_regclass('graph_runs'), to_regclass('schedule_runs'))
      ORDER BY c.relname = 'graph_runs' DESC
      LIMIT 1`,
  );
  return { table: rows[0]!.relname, hasErrorCode: rows[0]!.has_error_code };
}

async function readBalance(client: ClientBase, q: GovernanceQuery): Promise<void> {
  await client.query('SELECT balance_credits::text AS balance FROM billing_accounts WHERE id = $1 AND owner_user_id = $2', [q.billingAccountId, q.principalId]);
}

async function readSpend(client: ClientBase, q: GovernanceQuery): Promise<bigint> {
  const { rows } = await client.query<{ hour: number; credits: string }>(
    `SELECT floor(extract(epoch FROM created_at - $2::timestamptz) / 3600)::int AS hour,
            sum(charged_credits)::text AS credits
       FROM charge_receipts
      WHERE billing_account_id = $1 AND created_at >= $3 AND created_at < $4
      GROUP BY 1`,
    [q.billingAccountId, q.hoursFrom, q.spendFrom, q.now],
  );
  return rows.reduce((sum, row) => sum + BigInt(row.credits), 0n);
}

async function readCharters(client: ClientBase, q: GovernanceQuery, ledger: Ledger): Promise<PreviousCharter[]> {
  const { rows } = await client.query<{
    id: string;
    temporal_schedule_id: string;
    last_status: string | null;
    last_scheduled_for: Date | null;
    success_at: Date | null;
  }>(
    `SELECT s.id, s.temporal_schedule_id, s.cron, s.timezone, s.enabled,
            last_run.status AS last_status, last_run.scheduled_for AS last_scheduled_for,
            last_run.completed_at AS last_completed_at, last_success.success_at
       FROM schedules s
       LEFT JOIN LATERAL (
              SELECT r.status, r.scheduled_for, r.completed_at
                FROM ${ledger.table} r
               WHERE r.schedule_id = s.id AND r.scheduled_for <= $2
                 AND r.status IN ('success', 'error', 'skipped', 'cancelled')
               ORDER BY r.scheduled_for DESC
               LIMIT 1) last_run ON true
       LEFT JOIN LATERAL (
              SELECT coalesce(r.completed_at, r.scheduled_for) AS success_at
                FROM ${ledger.table} r
               WHERE r.schedule_id = s.id AND r.scheduled_for <= $2 AND r.status = 'success'
               ORDER BY r.scheduled_for DESC
               LIMIT 1) last_success ON true
      WHERE s.owner_user_id = $1 AND s.temporal_schedule_id IS NOT NULL`,
    [q.principalId, q.now],
  );
  return rows.map((row) => ({
    id: row.id,
    temporalScheduleId: row.temporal_schedule_id,
    lastRun: row.last_status && row.last_scheduled_for ? { status: row.last_status, scheduledFor: row.last_scheduled_for } : null,
    lastSuccessAt: row.success_at,
  }));
}

async function readFailedRuns(client: ClientBase, q: GovernanceQuery, ledger: Ledger, charters: ReadonlyArray<{ id: string }>): Promise<string[]> {
  if (charters.length === 0) return [];
  const errorCode = ledger.hasErrorCode ? 'r.error_code' : 'NULL::text';
  const branches = charters.map(
    (_, index) => `(SELECT r.schedule_id, r.run_id, r.scheduled_for, ${errorCode} AS error_code, r.error_message
         FROM ${ledger.table} r
        WHERE r.schedule_id = $${index + 4}::uuid AND r.scheduled_for >= $1 AND r.scheduled_for <= $2
          AND r.status = 'error'
        ORDER BY r.scheduled_for DESC
        LIMIT $3)`,
  );
  const { rows } = await client.query<{ run_id: string }>(
    `${branches.join('\n      UNION ALL\n      ')}
      ORDER BY scheduled_for DESC, run_id
      LIMIT $3`,
    [q.failedFrom, q.now, q.failedLimit, ...charters.map((charter) => charter.id)],
  );
  return rows.map((row) => row.run_id);
}

async function readThreads(client: ClientBase, q: GovernanceQuery): Promise<string[]> {
  const { rows } = await client.query<{ state_key: string }>(
    `SELECT state_key,
            CASE WHEN jsonb_typeof(metadata -> 'title') = 'string' THEN metadata ->> 'title' END AS title,
            created_at, updated_at
       FROM ai_threads
      WHERE owner_user_id = $1 AND deleted_at IS NULL AND updated_at <= $2
      ORDER BY updated_at DESC
      LIMIT $3`,
    [q.principalId, q.now, q.threadsLimit],
  );
  return rows.map((row) => row.state_key);
}

/** The previous release's readAllFacts: every read of one snapshot, in order, inside the transaction. */
export async function readPreviousShape(client: ClientBase, q: GovernanceQuery): Promise<PreviousFacts> {
  const ledger = await findLedger(client);
  await readBalance(client, q);
  const spent = await readSpend(client, q);
  const charters = await readCharters(client, q, ledger);
  const failedRunIds = await readFailedRuns(client, q, ledger, charters);
  const threadKeys = await readThreads(client, q);
  return { spent, charters, failedRunIds, threadKeys };
}

export type PreviousCost = {
  timings: Timings;
  /** shared buffers and server time (execution + planning) per read, from pg_stat_statements */
  buffers: number;
  dbMs: number;
  /** the longest execution of any one statement: over 5 s, the previous release's default timeout, that read failed */
  maxStatementMs: number;
  perStatement: Array<{ label: string; buffers: number; ms: number }>;
  /** one read under EXPLAIN (ANALYZE, BUFFERS), JIT as that release left it */
  plans: QueryPlan[];
  facts: PreviousFacts;
};

/**
 * Reads with the previous shape `reps` times (at least 3, within `budgetMs`), each at the moment it
 * runs, as the worker's ticks do, in that release's transaction. The timeout is raised so that a
 * read over the old 5-second default is measured rather than cut off; such reads are counted.
 */
export async function measurePrevious(readerUrl: string, stats: StatStatements, options: { reps: number; budgetMs: number }): Promise<PreviousCost> {
  const pool = new pg.Pool({ connectionString: readerUrl, max: 1, application_name: 'governance-status-bench-previous' });
  pool.on('error', () => {});
  const inTransaction = async <T>(use: (client: pg.PoolClient) => Promise<T>) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await client.query("SELECT set_config('app.current_user_id', $1, true), set_config('statement_timeout', '600000', true)", [settings.principalId]);
      const result = await use(client);
      await client.query('COMMIT');
      return result;
    } finally {
      client.release();
    }
  };
  const read = () => inTransaction((client) => readPreviousShape(client, queryFor(new Date(), settings)));
  try {
    await read(); // warm-up
    await stats.reset();
    const samples: number[] = [];
    let facts: PreviousFacts | undefined;
    const started = performance.now();
    while (samples.length < 3 || (samples.length < options.reps && performance.now() - started < options.budgetMs)) {
      const begun = performance.now();
      facts = await read();
      samples.push(performance.now() - begun);
    }
    const rows = await stats.statements();
    const plans = await inTransaction(async (client) => {
      const recorded: Statement[] = [];
      await readPreviousShape(recordingClient(client, recorded), queryFor(new Date(), settings));
      return explainAll(client, recorded, null);
    });
    const per = new Map<string, { buffers: number; ms: number }>();
    for (const row of rows) {
      const entry = per.get(row.label) ?? { buffers: 0, ms: 0 };
      per.set(row.label, { buffers: entry.buffers + row.blocks / samples.length, ms: entry.ms + row.ms / samples.length });
    }
    return {
      timings: summarize(samples),
      buffers: rows.reduce((sum, row) => sum + row.blocks, 0) / samples.length,
      dbMs: rows.reduce((sum, row) => sum + row.ms, 0) / samples.length,
      maxStatementMs: Math.max(...rows.map((row) => row.maxExecMs)),
      perStatement: [...per].map(([label, cost]) => ({ label, ...cost })),
      plans,
      facts: facts!,
    };
  } finally {
    await pool.end();
  }
}
