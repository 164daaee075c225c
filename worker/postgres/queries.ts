// All SQL of a snapshot. Every statement is bound to the caller's `now` (never SQL now()) and is
// served by an index that Cogni already has (see tests/integration/query-plans.test.ts), named here
// as in Cogni's database; the SQL names none, so the planner is free to choose:
//   billing_accounts_pkey or billing_accounts_owner_user_id_unique
//   · charge_receipts_aggregation_idx (billing_account_id, created_at) · schedules_owner_idx (owner_user_id)
//   · <ledger>_schedule_slot_unique (schedule_id, scheduled_for) · ai_threads_owner_updated_idx (owner_user_id, updated_at)
// ai_threads.messages (megabytes per row) is never selected. Bigints leave PostgreSQL as text.
import type { ClientBase } from 'pg';
import type { CharterFacts, FailedRunFacts, GovernanceFacts, GovernanceQuery, ThreadFacts } from '../../shared/ports.ts';
import type { FinishedRunStatus } from '../../shared/contract.ts';

export type Ledger = { table: 'schedule_runs' | 'graph_runs'; hasErrorCode: boolean };

const hourMs = 60 * 60 * 1000;

/** Which generation of the run ledger this database has (graph_runs replaced schedule_runs). */
export async function findLedger(client: ClientBase): Promise<Ledger> {
  const { rows } = await client.query<{ relname: 'schedule_runs' | 'graph_runs'; has_error_code: boolean }>(
    `SELECT c.relname,
            EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attname = 'error_code' AND NOT a.attisdropped) AS has_error_code
       FROM pg_class c
      WHERE c.oid IN (to_regclass('graph_runs'), to_regclass('schedule_runs'))
      ORDER BY c.relname = 'graph_runs' DESC
      LIMIT 1`,
  );
  const found = rows[0];
  if (!found) throw new Error('neither graph_runs nor schedule_runs is visible on the search_path');
  return { table: found.relname, hasErrorCode: found.has_error_code };
}

export async function readBalance(client: ClientBase, q: GovernanceQuery): Promise<bigint> {
  const { rows } = await client.query<{ balance: string }>(
    'SELECT balance_credits::text AS balance FROM billing_accounts WHERE id = $1 AND owner_user_id = $2',
    [q.billingAccountId, q.principalId],
  );
  const row = rows[0];
  if (!row) {
    throw new Error(
      `billing account ${q.billingAccountId} is not visible to principal ${q.principalId} (wrong id, not its owner, or RLS hides it)`,
    );
  }
  return BigInt(row.balance);
}

/** Spend summed per hour since hoursFrom; hour -1 collects [spendFrom, hoursFrom) for the 24 h total. */
export async function readSpend(client: ClientBase, q: GovernanceQuery) {
  const { rows } = await client.query<{ hour: number; credits: string }>(
    `SELECT floor(extract(epoch FROM created_at - $2::timestamptz) / 3600)::int AS hour,
            sum(charged_credits)::text AS credits
       FROM charge_receipts
      WHERE billing_account_id = $1 AND created_at >= $3 AND created_at < $4
      GROUP BY 1`,
    [q.billingAccountId, q.hoursFrom, q.spendFrom, q.now],
  );
  let total = 0n;
  const spendByHour: Array<{ hourStart: Date; credits: bigint }> = [];
  for (const row of rows) {
    const credits = BigInt(row.credits);
    total += credits;
    if (row.hour >= 0) spendByHour.push({ hourStart: new Date(q.hoursFrom.getTime() + row.hour * hourMs), credits });
  }
  return { total, spendByHour };
}

/** Each governance charter with its latest finished run and its latest success, one index probe each. */
export async function readCharters(
  client: ClientBase,
  q: GovernanceQuery,
  ledger: Ledger,
): Promise<Array<CharterFacts & { id: string }>> {
  const { rows } = await client.query<{
    id: string;
    temporal_schedule_id: string;
    cron: string;
    timezone: string;
    enabled: boolean;
    last_status: FinishedRunStatus | null;
    last_scheduled_for: Date | null;
    last_completed_at: Date | null;
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
    cron: row.cron,
    timezone: row.timezone,
    enabled: row.enabled,
    lastRun:
      row.last_status && row.last_scheduled_for
        ? { status: row.last_status, scheduledFor: row.last_scheduled_for, finishedAt: row.last_completed_at }
        : null,
    lastSuccessAt: row.success_at,
  }));
}

/**
 * Runs with status error scheduled in [failedFrom, now], newest first, across the given charters.
 * One branch per charter, each with its id as a bound value: every branch is then an ordered range
 * read of (schedule_id, scheduled_for) over the window only. A LATERAL join or `= ANY(ids)` leaves
 * the planner free to read a charter's whole history through (schedule_id), or every tenant's runs
 * of the day through (scheduled_for), and it does take those plans (see query-plans.test.ts).
 */
export async function readFailedRuns(
  client: ClientBase,
  q: GovernanceQuery,
  ledger: Ledger,
  charters: ReadonlyArray<{ id: string; temporalScheduleId: string }>,
): Promise<FailedRunFacts[]> {
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
  const { rows } = await client.query<{
    schedule_id: string;
    run_id: string;
    scheduled_for: Date;
    error_code: string | null;
    error_message: string | null;
  }>(
    `${branches.join('\n      UNION ALL\n      ')}
      ORDER BY scheduled_for DESC, run_id
      LIMIT $3`,
    [q.failedFrom, q.now, q.failedLimit, ...charters.map((charter) => charter.id)],
  );
  const names = new Map(charters.map((charter) => [charter.id, charter.temporalScheduleId]));
  return rows.map((row) => ({
    temporalScheduleId: names.get(row.schedule_id) ?? row.schedule_id,
    runId: row.run_id,
    scheduledFor: row.scheduled_for,
    errorCode: row.error_code,
    errorMessage: row.error_message,
  }));
}

/** The system principal's latest threads (not soft-deleted); the title only when it is a JSON string. */
export async function readThreads(client: ClientBase, q: GovernanceQuery): Promise<ThreadFacts[]> {
  const { rows } = await client.query<{ state_key: string; title: string | null; created_at: Date; updated_at: Date }>(
    `SELECT state_key,
            CASE WHEN jsonb_typeof(metadata -> 'title') = 'string' THEN metadata ->> 'title' END AS title,
            created_at, updated_at
       FROM ai_threads
      WHERE owner_user_id = $1 AND deleted_at IS NULL AND updated_at <= $2
      ORDER BY updated_at DESC
      LIMIT $3`,
    [q.principalId, q.now, q.threadsLimit],
  );
  return rows.map((row) => ({ stateKey: row.state_key, title: row.title, createdAt: row.created_at, updatedAt: row.updated_at }));
}

/** Every read of one snapshot, in order, on one client that is already inside the transaction. */
export async function readAllFacts(client: ClientBase, q: GovernanceQuery): Promise<GovernanceFacts> {
  const ledger = await findLedger(client);
  const balanceCredits = await readBalance(client, q);
  const spend = await readSpend(client, q);
  const charters = await readCharters(client, q, ledger);
  const failedRuns = await readFailedRuns(client, q, ledger, charters);
  const threads = await readThreads(client, q);
  return {
    ledger: ledger.table,
    balanceCredits,
    spentSinceSpendFrom: spend.total,
    spendByHour: spend.spendByHour,
    charters: charters.map(({ id: _id, ...charter }) => charter),
    failedRuns,
    threads,
  };
}
