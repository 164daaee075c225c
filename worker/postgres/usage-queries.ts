// The SQL of usage: the system account's receipts, read through charge_receipts_aggregation_idx
// (billing_account_id, created_at) exactly as the spend is, each joined to its llm_charge_details row
// by that table's primary key (its only index), summed per minute, run_id and model. Which run
// belongs to which charter is the caller's to say, from the runs it read (shared/usage.ts): the
// ledger is not read again, and nothing sent here grows with the charters or their runs. A detail
// costs about ten buffers (its key, and its policy's probe of the receipt and the account), so a tick
// reads only the minutes it does not know yet (worker/usage-memory.ts). Sums leave PostgreSQL as
// text (bigint, numeric): they never pass through a JS number.
import type { ClientBase } from 'pg';
import type { DayUsageRow, HistoryFacts, MinuteUsageRow, UsageDetails, UsageFacts, UsageFigures } from '../../shared/ports.ts';
import { rawText, rawTextSql } from './raw-text.ts';

/** the columns the usage reads: without SELECT on any of them, it reads receipts alone */
const detailColumns = ['charge_receipt_id', 'model', 'graph_id', 'tokens_in', 'tokens_out'];

/**
 * Whether llm_charge_details exists on the search_path and the role may read the columns used, in one
 * statement that cannot fail: a query on a missing or forbidden table would abort the snapshot's
 * transaction, and with it everything else the tick reads.
 */
export async function findUsageDetails(client: ClientBase): Promise<UsageDetails> {
  const { rows } = await client.query<{ present: boolean; readable: boolean }>(
    `SELECT to_regclass('llm_charge_details') IS NOT NULL AS present,
            (SELECT count(*) FROM pg_attribute a
              WHERE a.attrelid = to_regclass('llm_charge_details') AND NOT a.attisdropped AND a.attname = ANY ($1::text[])
                AND has_column_privilege(a.attrelid, a.attnum, 'SELECT')) = cardinality($1::text[]) AS readable`,
    [detailColumns],
  );
  const found = rows[0];
  if (!found?.present) return 'no_table';
  return found.readable ? 'available' : 'no_permission';
}

/**
 * The figures of a group. A response_cost_usd outside ±10^12 (NaN and infinities included, which
 * numeric allows) is no cost anyone was charged: it is left out of the USD sum and its count.
 */
function figureColumns(details: boolean): string {
  const usd = 'cr.response_cost_usd BETWEEN -1e12 AND 1e12';
  return `sum(cr.charged_credits)::text AS credits, count(*)::int AS requests,
          ${details ? 'coalesce(sum(d.tokens_in::bigint), 0)::text' : "'0'"} AS tokens_in,
          ${details ? 'coalesce(sum(d.tokens_out::bigint), 0)::text' : "'0'"} AS tokens_out,
          round(sum(cr.response_cost_usd) FILTER (WHERE ${usd}) * 1000000000)::text AS usd_nanos,
          (count(*) FILTER (WHERE ${usd}))::int AS usd_requests`;
}

const detailsJoin = (details: boolean) => (details ? 'LEFT JOIN llm_charge_details d ON d.charge_receipt_id = cr.id' : '');
const detailText = (details: boolean, column: string) => (details ? rawTextSql(`d.${column}`) : 'NULL::text');

type FigureRow = { credits: string; requests: number; tokens_in: string; tokens_out: string; usd_nanos: string | null; usd_requests: number };

const figuresOf = (row: FigureRow): UsageFigures => ({
  credits: BigInt(row.credits),
  requests: row.requests,
  tokensIn: BigInt(row.tokens_in),
  tokensOut: BigInt(row.tokens_out),
  usdNanos: row.usd_nanos === null ? null : BigInt(row.usd_nanos),
  usdRequests: row.usd_requests,
});

export type UsageRange = { from: Date; to: Date };

/**
 * The receipts with created_at in the given ranges (disjoint: a receipt in two would count twice),
 * by minute, run_id, model and agent: a run costs what its receipts sum to. One range of the index
 * per range. Run ids are cut to the length the ledger read cuts them to, so they match.
 */
export async function readUsage(client: ClientBase, q: { billingAccountId: string; ranges: readonly UsageRange[]; details: UsageDetails }): Promise<MinuteUsageRow[]> {
  const details = q.details === 'available';
  const { rows } = await client.query<FigureRow & { minute: Date; run_id: string; model: string | null; agent: string | null }>(
    `SELECT date_trunc('minute', cr.created_at, 'UTC') AS minute, ${rawTextSql('cr.run_id')} AS run_id,
            ${detailText(details, 'model')} AS model, ${detailText(details, 'graph_id')} AS agent, ${figureColumns(details)}
       FROM unnest($2::timestamptz[], $3::timestamptz[]) AS ranges(from_at, to_at)
      CROSS JOIN LATERAL (
             SELECT cr.id, cr.run_id, cr.created_at, cr.charged_credits, cr.response_cost_usd
               FROM charge_receipts cr
              WHERE cr.billing_account_id = $1 AND cr.created_at >= ranges.from_at AND cr.created_at < ranges.to_at
             OFFSET 0) cr
       ${detailsJoin(details)}
      GROUP BY 1, 2, 3, 4`,
    [q.billingAccountId, q.ranges.map((range) => range.from), q.ranges.map((range) => range.to)],
  );
  return rows.map((row) => ({ minute: row.minute, runId: rawText(row.run_id), model: rawText(row.model), agent: rawText(row.agent), ...figuresOf(row) }));
}

/** The receipts with created_at in [from, to), by UTC day, run_id and model: read once per closed day. */
export async function readUsageByDay(client: ClientBase, q: { billingAccountId: string; from: Date; to: Date; details: UsageDetails }): Promise<DayUsageRow[]> {
  const details = q.details === 'available';
  const { rows } = await client.query<FigureRow & { day: string; run_id: string; model: string | null }>(
    `SELECT to_char(cr.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, ${rawTextSql('cr.run_id')} AS run_id,
            ${detailText(details, 'model')} AS model, ${figureColumns(details)}
       FROM charge_receipts cr
       ${detailsJoin(details)}
      WHERE cr.billing_account_id = $1 AND cr.created_at >= $2 AND cr.created_at < $3
      GROUP BY 1, 2, 3`,
    [q.billingAccountId, q.from, q.to],
  );
  return rows.map((row) => ({ day: row.day, runId: rawText(row.run_id), model: rawText(row.model), ...figuresOf(row) }));
}

/** The window's usage for GovernanceFacts: the details check, then the receipts of the ranges asked for. */
export async function readWindowUsage(client: ClientBase, q: { billingAccountId: string; ranges: readonly UsageRange[] }): Promise<UsageFacts> {
  const details = await findUsageDetails(client);
  return { details, rows: await readUsage(client, { ...q, details }) };
}

/** A stretch's usage per UTC day for HistoryFacts. */
export async function readDailyUsage(client: ClientBase, q: { billingAccountId: string; from: Date; to: Date }): Promise<HistoryFacts['usageByDay']> {
  const details = await findUsageDetails(client);
  return { details, rows: await readUsageByDay(client, { ...q, details }) };
}
