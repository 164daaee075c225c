// All SQL the worker runs. Every statement is bound to the caller's instants (never SQL now()) and
// is served by an index Cogni already has (tests/integration/query-plans.test.ts checks each plan):
//   billing_accounts pkey or owner_user_id_unique · charge_receipts_aggregation_idx · schedules_owner_idx ·
//   ledger <ledger>_schedule_slot_unique (schedule_id, scheduled_for) · ai_threads_owner_updated_idx
// The ledger is read only per charter, through a LATERAL subquery kept apart by OFFSET 0: each is one
// range or one probe of (schedule_id, scheduled_for) with the charter's id as its parameter, so no
// statistic about a common schedule_id can turn it into a read of a charter's whole history through
// (schedule_id) or of every tenant's runs of the day through (scheduled_for). Raw text is cut in SQL
// (hostile rows can hold megabytes) at many times what the public file shows (raw-text.ts), then cleaned in JS.
// ai_threads.messages (megabytes per row) is never selected. Bigints leave PostgreSQL as text.
import type { ClientBase } from 'pg';
import { slotsBeforeChangeLimit, type EarlierRunFacts, type GovernanceQuery, type HistoryQuery, type RunFacts, type ScheduleFacts, type ThreadFacts } from '../../shared/ports.ts';
import type { RunStatus } from '../../shared/contract.ts';
import { rawText, rawTextSql } from './raw-text.ts';

export type Ledger = { table: 'schedule_runs' | 'graph_runs'; hasErrorCode: boolean; hasStateKey: boolean };

const hourMs = 60 * 60 * 1000;
/** a message longer than this is no bare code (one of at most 64 characters), whatever surrounds it */
const bareCodeBytes = 256;

/** Which generation of the run ledger this database has (graph_runs replaced schedule_runs). */
export async function findLedger(client: ClientBase): Promise<Ledger> {
  const { rows } = await client.query<{ relname: 'schedule_runs' | 'graph_runs'; has_error_code: boolean; has_state_key: boolean }>(
    `SELECT c.relname,
            EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attname = 'error_code' AND NOT a.attisdropped) AS has_error_code,
            EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attname = 'state_key' AND NOT a.attisdropped) AS has_state_key
       FROM pg_class c
      WHERE c.oid IN (to_regclass('graph_runs'), to_regclass('schedule_runs'))
      ORDER BY c.relname = 'graph_runs' DESC
      LIMIT 1`,
  );
  const found = rows[0];
  if (!found) throw new Error('neither graph_runs nor schedule_runs is visible on the search_path');
  return { table: found.relname, hasErrorCode: found.has_error_code, hasStateKey: found.has_state_key };
}

export async function readBalance(client: ClientBase, q: { billingAccountId: string; principalId: string }): Promise<bigint> {
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

/**
 * Spend per hour from `spendHoursFrom` (hour-aligned, at most the 24-hour window; earlier while a
 * UTC day waits to be closed), hours numbered from hoursFrom; the 24-hour total over [spendFrom, now).
 */
export async function readSpend(client: ClientBase, q: GovernanceQuery) {
  const { rows } = await client.query<{ hour: number; credits: string; recent: string | null }>(
    `SELECT floor(extract(epoch FROM created_at - $2::timestamptz) / 3600)::int AS hour,
            sum(charged_credits)::text AS credits,
            (sum(charged_credits) FILTER (WHERE created_at >= $3))::text AS recent
       FROM charge_receipts
      WHERE billing_account_id = $1 AND created_at >= $5 AND created_at < $4
      GROUP BY 1`,
    [q.billingAccountId, q.hoursFrom, q.spendFrom, q.now, q.spendHoursFrom],
  );
  let total = 0n;
  const spendByHour: Array<{ hourStart: Date; credits: bigint }> = [];
  for (const row of rows) {
    total += BigInt(row.recent ?? '0');
    spendByHour.push({ hourStart: new Date(q.hoursFrom.getTime() + row.hour * hourMs), credits: BigInt(row.credits) });
  }
  return { total, spendByHour };
}

/** Spend per UTC day with created_at in [from, to). */
export async function readSpendByDay(client: ClientBase, q: HistoryQuery) {
  const { rows } = await client.query<{ day: string; credits: string }>(
    `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, sum(charged_credits)::text AS credits
       FROM charge_receipts
      WHERE billing_account_id = $1 AND created_at >= $2 AND created_at < $3
      GROUP BY 1`,
    [q.billingAccountId, q.from, q.to],
  );
  return rows.map((row) => ({ day: row.day, credits: BigInt(row.credits) }));
}

const charterFilter = 's.owner_user_id = $1 AND s.temporal_schedule_id IS NOT NULL';
// A run of one of the system's schedules is its own only when the system requested it (or, in rows from
// before graph_runs had the column, nobody): the policy lets a tenant write a run of any schedule, as itself.
const systemsOwn = (ledger: Ledger) => (ledger.table === 'graph_runs' ? 'AND (r.requested_by IS NULL OR r.requested_by = $1)' : '');

type ScheduleRow = {
  id: string;
  temporal_schedule_id: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  updated_at: Date | null;
  last_run_at: Date | null;
  slots_before_change: Date[];
  oldest_slot?: Date | null;
  finished?: JsonRun | null;
};

/**
 * The system principal's governance charters (schedules with a temporal_schedule_id), with one
 * backward probe each on (schedule_id, scheduled_for) for its latest slots before its updated_at; with
 * `earlierBefore` (a tick) also its first run and its latest finished run before that instant: a
 * constant number of index entries per charter whatever its history, read every tick instead of
 * remembered.
 */
export async function readCharters(
  client: ClientBase,
  ledger: Ledger,
  q: { principalId: string; earlierBefore: Date | null },
): Promise<{ schedules: ScheduleFacts[]; earlier: EarlierRunFacts[] }> {
  const earlier = q.earlierBefore !== null;
  const { rows } = await client.query<ScheduleRow>(
    `SELECT s.id, ${rawTextSql('s.temporal_schedule_id')} AS temporal_schedule_id, ${rawTextSql('s.cron')} AS cron,
            ${rawTextSql('s.timezone')} AS timezone, s.enabled, s.updated_at, s.last_run_at,
            ARRAY(SELECT r.scheduled_for
                    FROM ${ledger.table} r
                   WHERE r.schedule_id = s.id AND r.scheduled_for < s.updated_at ${systemsOwn(ledger)}
                   ORDER BY r.scheduled_for DESC
                   LIMIT ${slotsBeforeChangeLimit}) AS slots_before_change
            ${earlier ? `, oldest.scheduled_for AS oldest_slot, ${asJson('finished')} AS finished` : ''}
       FROM schedules s
       ${earlier ? `${probe(ledger, '', 'ASC')} oldest ON true ${probe(ledger, finishedFilter, 'DESC')} finished ON true` : ''}
      WHERE ${charterFilter}
      ORDER BY s.created_at, s.id`,
    earlier ? [q.principalId, q.earlierBefore] : [q.principalId],
  );
  return {
    schedules: rows.map((row) => ({
      scheduleId: row.id,
      temporalScheduleId: rawText(row.temporal_schedule_id),
      cron: rawText(row.cron),
      timezone: rawText(row.timezone),
      enabled: row.enabled,
      updatedAt: row.updated_at,
      lastRunAt: row.last_run_at,
      slotsBeforeChange: row.slots_before_change,
    })),
    earlier: earlier
      ? rows.map((row) => ({ scheduleId: row.id, firstRunAt: row.oldest_slot ?? null, lastFinished: fromJson(row.id, row.finished ?? null), lastSuccess: null }))
      : [],
  };
}

type RunRow = { schedule_id: string; run_id: string; status: RunStatus; scheduled_for: Date; started_at: Date | null; completed_at: Date | null } & {
  error_code: string | null; message_code: string | null; error_message: string | null;
};

/**
 * The columns of a run. message_code is the message when it may be a bare code (a short message of
 * one lowercase word); the cleaning in JS (errorCodeOf) decides. No capture group and no bounded
 * repetition: PostgreSQL's regex engine takes tens of microseconds per row for those, which during
 * an outage (every failed run's message is the bare code) was most of a tick's database time.
 */
function runColumns(ledger: Ledger): string {
  return `${rawTextSql('r.run_id')} AS run_id, r.status, r.scheduled_for, r.started_at, r.completed_at,
          ${ledger.hasErrorCode ? rawTextSql('r.error_code') : 'NULL::text'} AS error_code,
          CASE WHEN octet_length(r.error_message) <= ${bareCodeBytes} AND r.error_message ~ '^\\s*[a-z][a-z0-9_]*\\s*$'
               THEN substring(r.error_message FROM '[a-z][a-z0-9_]*') END AS message_code`;
}

const toRun = (row: RunRow): RunFacts => ({
  scheduleId: row.schedule_id,
  runId: rawText(row.run_id),
  status: row.status,
  scheduledFor: row.scheduled_for,
  startedAt: row.started_at,
  completedAt: row.completed_at,
  errorCode: rawText(row.error_code),
  messageCode: row.message_code,
  errorMessage: rawText(row.error_message),
});

/**
 * Every charter's runs with scheduled_for in [from, to], ascending: one range of
 * (schedule_id, scheduled_for) per charter. The newest `messages.limit` runs with status error at or
 * after `messages.from` also carry the first line of their message; the others' messages stay in
 * the database (a failure streak can hold a long stack trace per run).
 */
export async function readRuns(
  client: ClientBase,
  ledger: Ledger,
  q: { principalId: string; from: Date; to: Date; toInclusive: boolean; messages: { from: Date; limit: number } | null },
): Promise<RunFacts[]> {
  const messageSql = q.messages
    ? `CASE WHEN runs.status = 'error' AND runs.scheduled_for >= $4
                 AND row_number() OVER (PARTITION BY runs.status = 'error' AND runs.scheduled_for >= $4
                                        ORDER BY runs.scheduled_for DESC, runs.run_id) <= $5
            THEN ${rawTextSql("split_part(runs.full_message, E'\\n', 1)")} END`
    : 'NULL::text';
  const { rows } = await client.query<RunRow>(
    `SELECT runs.schedule_id, runs.run_id, runs.status, runs.scheduled_for, runs.started_at, runs.completed_at,
            runs.error_code, runs.message_code, ${messageSql} AS error_message
       FROM schedules s
      CROSS JOIN LATERAL (
             SELECT r.schedule_id, ${runColumns(ledger)}, r.error_message AS full_message
               FROM ${ledger.table} r
              WHERE r.schedule_id = s.id AND r.scheduled_for >= $2 AND r.scheduled_for ${q.toInclusive ? '<=' : '<'} $3 ${systemsOwn(ledger)}
             OFFSET 0) runs
      WHERE ${charterFilter}
      ORDER BY runs.scheduled_for, runs.schedule_id`,
    q.messages ? [q.principalId, q.from, q.to, q.messages.from, q.messages.limit] : [q.principalId, q.from, q.to],
  );
  return rows.map(toRun);
}

type JsonRun = Omit<RunRow, 'schedule_id'>;
const finishedFilter = "AND r.status IN ('success', 'error', 'skipped', 'cancelled')";

/** One probe of (schedule_id, scheduled_for) into a charter's rows before $2: the first or the latest that passes `filter`. */
const probe = (ledger: Ledger, filter: string, order: 'ASC' | 'DESC') => `LEFT JOIN LATERAL (
             SELECT ${runColumns(ledger)}
               FROM ${ledger.table} r
              WHERE r.schedule_id = s.id AND r.scheduled_for < $2 ${filter} ${systemsOwn(ledger)}
              ORDER BY r.scheduled_for ${order}
              LIMIT 1)`;
const asJson = (name: string) => `CASE WHEN ${name}.run_id IS NULL THEN NULL ELSE to_jsonb(${name}) END`;

function fromJson(scheduleId: string, run: JsonRun | null): RunFacts | null {
  if (run === null) return null;
  return toRun({
    ...run,
    schedule_id: scheduleId,
    scheduled_for: new Date(run.scheduled_for),
    started_at: run.started_at === null ? null : new Date(run.started_at),
    completed_at: run.completed_at === null ? null : new Date(run.completed_at),
    error_message: null,
  });
}

/**
 * Per charter, three probes into its rows before `before`: the first run, the latest finished run,
 * and the latest success. The last walks back through every failure of a current streak (no index
 * holds status), so it is read only when the worker starts or leads anew, never per tick.
 */
export async function readEarlierRuns(client: ClientBase, ledger: Ledger, q: { principalId: string; before: Date }): Promise<EarlierRunFacts[]> {
  const { rows } = await client.query<{ schedule_id: string; first_run_at: Date | null; finished: JsonRun | null; success: JsonRun | null }>(
    `SELECT s.id AS schedule_id, first_run.scheduled_for AS first_run_at, ${asJson('finished')} AS finished, ${asJson('success')} AS success
       FROM schedules s
       ${probe(ledger, '', 'ASC')} first_run ON true
       ${probe(ledger, finishedFilter, 'DESC')} finished ON true
       ${probe(ledger, "AND r.status = 'success'", 'DESC')} success ON true
      WHERE ${charterFilter}`,
    [q.principalId, q.before],
  );
  return rows.map((row) => ({
    scheduleId: row.schedule_id,
    firstRunAt: row.first_run_at,
    lastFinished: fromJson(row.schedule_id, row.finished),
    lastSuccess: fromJson(row.schedule_id, row.success),
  }));
}

/**
 * The system principal's latest threads (not soft-deleted); the title only when it is a JSON string.
 * On graph_runs, each with its latest run's status and schedule (by state_key: graph_runs_state_key_idx),
 * of the system's runs only: of its schedules (systemsOwn), or of none and requested by it (RLS lets a tenant
 * write a run of its own schedule naming any requester, and a state_key is public); schedule_runs cannot say.
 */
export async function readThreads(client: ClientBase, ledger: Ledger, q: GovernanceQuery): Promise<ThreadFacts[]> {
  const latestRun = ledger.hasStateKey
    ? `LEFT JOIN LATERAL (SELECT r.status, r.schedule_id FROM graph_runs r
                           WHERE r.state_key = t.state_key
                             AND CASE WHEN r.schedule_id IS NULL THEN r.requested_by = $1
                                      ELSE r.schedule_id IN (SELECT id FROM schedules WHERE owner_user_id = $1) ${systemsOwn(ledger)} END
                           ORDER BY r.started_at DESC NULLS LAST, r.scheduled_for DESC NULLS LAST LIMIT 1) run ON true`
    : 'LEFT JOIN LATERAL (SELECT NULL::text AS status, NULL::uuid AS schedule_id) run ON true';
  const { rows } = await client.query<{ state_key: string; title: string | null; created_at: Date; updated_at: Date; status: string | null; schedule_id: string | null }>(
    `SELECT ${rawTextSql('t.state_key')} AS state_key,
            CASE WHEN jsonb_typeof(t.metadata -> 'title') = 'string' THEN ${rawTextSql("t.metadata ->> 'title'")} END AS title,
            t.created_at, t.updated_at, left(run.status, ${bareCodeBytes}) AS status, run.schedule_id::text AS schedule_id
       FROM (SELECT state_key, metadata, created_at, updated_at
               FROM ai_threads
              WHERE owner_user_id = $1 AND deleted_at IS NULL AND updated_at <= $2
              ORDER BY updated_at DESC
              LIMIT $3) t
       ${latestRun}
      ORDER BY t.updated_at DESC`,
    [q.principalId, q.now, q.threadsLimit],
  );
  return rows.map((row) => ({
    stateKey: rawText(row.state_key),
    title: rawText(row.title),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    runStatus: row.status,
    scheduleId: row.schedule_id,
  }));
}
