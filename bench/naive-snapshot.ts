// The straightforward way to read the same facts, for comparison: what one writes first and what
// passes every test on a small database. Spend filtered by RLS alone, each charter's whole history
// grouped, failed runs joined through execution_grants by billing account, threads by RLS alone.
// It runs as its own role (the reader's grants plus execution_grants), under the same RLS, in the
// same kind of transaction, and must return the same answer as the snapshot's queries.
import pg from 'pg';
import type { GovernanceFacts, GovernanceQuery } from '../shared/ports.ts';
import { queryFor } from '../worker/build-snapshot.ts';
import type { Ledger } from '../scripts/cogni/apply-schema.ts';
import { explainAll, recordingClient, type QueryPlan, type Statement } from './plans.ts';
import { settings, summarize, type Timings } from './snapshot-cost.ts';
import type { StatStatements } from './stat-statements.ts';

type Answer = { spent: bigint; lastRuns: string[]; failedRunIds: string[]; threadKeys: string[] };

async function readNaively(client: pg.PoolClient, q: GovernanceQuery, ledger: Ledger): Promise<Answer> {
  await client.query('SELECT balance_credits::text FROM billing_accounts WHERE id = $1', [q.billingAccountId]);
  const spend = await client.query<{ credits: string }>(
    `SELECT date_trunc('hour', created_at) AS hour, sum(charged_credits)::text AS credits
       FROM charge_receipts
      WHERE created_at >= $1 AND created_at < $2
      GROUP BY 1`,
    [q.spendFrom, q.now],
  );
  const charters = await client.query<{ temporal_schedule_id: string; last_status: string | null; last_at: Date | null }>(
    `SELECT s.temporal_schedule_id,
            (array_agg(r.status ORDER BY r.scheduled_for DESC)
               FILTER (WHERE r.status IN ('success', 'error', 'skipped', 'cancelled')))[1] AS last_status,
            max(r.scheduled_for) FILTER (WHERE r.status IN ('success', 'error', 'skipped', 'cancelled')) AS last_at,
            max(coalesce(r.completed_at, r.scheduled_for)) FILTER (WHERE r.status = 'success') AS success_at
       FROM schedules s
       LEFT JOIN ${ledger} r ON r.schedule_id = s.id AND r.scheduled_for <= $2
      WHERE s.owner_user_id = $1 AND s.temporal_schedule_id IS NOT NULL
      GROUP BY s.id, s.temporal_schedule_id`,
    [q.principalId, q.now],
  );
  const failed = await client.query<{ run_id: string }>(
    `SELECT s.temporal_schedule_id, r.run_id, r.scheduled_for, r.error_message
       FROM ${ledger} r
       JOIN schedules s ON s.id = r.schedule_id
       JOIN execution_grants g ON g.id = s.execution_grant_id
      WHERE g.billing_account_id = $1 AND r.status = 'error'
        AND r.scheduled_for >= $2 AND r.scheduled_for <= $3
      ORDER BY r.scheduled_for DESC, r.run_id
      LIMIT $4`,
    [q.billingAccountId, q.failedFrom, q.now, q.failedLimit],
  );
  const threads = await client.query<{ state_key: string }>(
    `SELECT state_key, metadata ->> 'title' AS title, created_at, updated_at
       FROM ai_threads
      WHERE deleted_at IS NULL AND updated_at <= $1
      ORDER BY updated_at DESC
      LIMIT $2`,
    [q.now, q.threadsLimit],
  );
  return {
    spent: spend.rows.reduce((sum, row) => sum + BigInt(row.credits), 0n),
    lastRuns: charters.rows.map((row) => `${row.temporal_schedule_id} ${row.last_status} ${row.last_at?.toISOString()}`).sort(),
    failedRunIds: failed.rows.map((row) => row.run_id),
    threadKeys: threads.rows.map((row) => row.state_key),
  };
}

/**
 * The same answer from a tick's facts, to check that both readings agree: each charter's latest
 * finished run (every charter here has one inside the window), the newest failed runs, the spend.
 */
function answerOf(facts: GovernanceFacts, failedLimit: number): Answer {
  const finished = facts.runs.filter((run) => ['success', 'error', 'skipped', 'cancelled'].includes(run.status));
  const lastRuns = facts.schedules.map((schedule) => {
    const last = finished.filter((run) => run.scheduleId === schedule.scheduleId).at(-1);
    return `${schedule.temporalScheduleId} ${last?.status ?? null} ${last?.scheduledFor.toISOString()}`;
  });
  const failed = facts.runs
    .filter((run) => run.status === 'error')
    .sort((a, b) => b.scheduledFor.getTime() - a.scheduledFor.getTime() || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  return {
    spent: facts.spentSinceSpendFrom,
    lastRuns: lastRuns.sort(),
    failedRunIds: failed.slice(0, failedLimit).map((run) => run.runId),
    threadKeys: facts.threads.map((thread) => thread.stateKey),
  };
}

export type NaiveCost = { timings: Timings; buffers: number; explainBuffers: number; plans: QueryPlan[]; sameAnswer: boolean };

/** Repeats the naive reading until `reps` or `budgetMs` (whichever first, at least 3 times). */
export async function measureNaive(
  naiveUrl: string,
  stats: StatStatements,
  options: { now: Date; ledger: Ledger; reps: number; budgetMs: number; expected: GovernanceFacts },
): Promise<NaiveCost> {
  const pool = new pg.Pool({ connectionString: naiveUrl, max: 1, application_name: 'governance-status-bench-naive' });
  pool.on('error', () => {});
  const query = queryFor(options.now, settings);
  const inTransaction = async <T>(read: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await client.query("SELECT set_config('app.current_user_id', $1, true), set_config('statement_timeout', '600000', true)", [
        settings.principalId,
      ]);
      const result = await read(client);
      await client.query('COMMIT');
      return result;
    } finally {
      client.release();
    }
  };
  try {
    const answer = await inTransaction((client) => readNaively(client, query, options.ledger)); // warm-up
    await stats.reset();
    const samples: number[] = [];
    const started = performance.now();
    while (samples.length < 3 || (samples.length < options.reps && performance.now() - started < options.budgetMs)) {
      const begun = performance.now();
      await inTransaction((client) => readNaively(client, query, options.ledger));
      samples.push(performance.now() - begun);
    }
    const counted = await stats.blocks();
    const plans = await inTransaction(async (client) => {
      const recorded: Statement[] = [];
      await readNaively(recordingClient(client, recorded), query, options.ledger);
      return explainAll(client, recorded, null);
    });
    return {
      timings: summarize(samples),
      buffers: counted.blocks / samples.length,
      explainBuffers: plans.reduce((sum, plan) => sum + plan.buffers + plan.planningBuffers, 0),
      plans,
      sameAnswer: JSON.stringify(answer, bigintText) === JSON.stringify(answerOf(options.expected, query.failedLimit), bigintText),
    };
  } finally {
    await pool.end();
  }
}

const bigintText = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);
