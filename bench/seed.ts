// Set-based seeding of a Cogni-shaped database at benchmark scale. One INSERT ... SELECT
// generate_series per table, rows in time order with the system tenant's rows interleaved among
// everyone else's, as the application writes them: the system's rows of a day are spread over as
// many heap pages as they would be in production, not packed together at the end of the table.
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { applyCogniSchema, grantReader, type Ledger } from '../scripts/cogni/apply-schema.ts';
import { loadThenIndex } from './load.ts';

export const system = {
  principalId: '00000000-0000-4000-a000-000000000001',
  billingAccountId: '00000000-0000-4000-b000-000000000000',
  /** hourly charters, one at each quarter hour, in four time zones */
  charters: [
    { temporalId: 'governance:community', cron: '0 * * * *', timezone: 'UTC' },
    { temporalId: 'governance:engineering', cron: '15 * * * *', timezone: 'Europe/Berlin' },
    { temporalId: 'governance:sustainability', cron: '30 * * * *', timezone: 'America/New_York' },
    { temporalId: 'governance:govern', cron: '45 * * * *', timezone: 'Asia/Tokyo' },
  ],
  /** the longest history any size holds, in days */
  maxHistoryDays: 21,
  /** the most of each big table the system's rows may be: the issue asks for "a small share" */
  maxShare: 0.02,
};

/** The system's activity is the same at every size: one run, receipt and thread per charter-hour. */
export const systemRowsPerDay = 24 * system.charters.length;

export type Scale = {
  label: string;
  /** rows in each big table: charge_receipts, the run ledger, ai_threads (system included) */
  rowsPerTable: number;
  /** other tenants: one user, billing account, key and grant each, and four schedules */
  tenants: number;
  /** days of history every big table holds, the system's included */
  historyDays: number;
  /** the system's rows in each big table: historyDays of its activity */
  systemRows: number;
};

/**
 * A size: its history is the longest, up to maxHistoryDays, in which the system's rows stay a small
 * share of each big table. At 10k rows that is 2 days: 21 days of the system's activity would be a
 * fifth of the table, its rows of a day would share heap pages, and the smallest database would not
 * look like the production one it stands for, where the system is one tenant among many.
 */
export function scaleOf(label: string, rowsPerTable: number): Scale {
  const historyDays = Math.min(system.maxHistoryDays, Math.floor((rowsPerTable * system.maxShare) / systemRowsPerDay));
  // At least two days, so that the snapshot's 24-hour windows cut the history rather than hold all of it.
  if (historyDays < 2) {
    throw new Error(
      `${label}: ${rowsPerTable} rows per table cannot hold two days of the system's activity as at most ${100 * system.maxShare} % of it`,
    );
  }
  return {
    label,
    rowsPerTable,
    tenants: Math.max(1_000, Math.round(rowsPerTable / 200)),
    historyDays,
    systemRows: historyDays * systemRowsPerDay,
  };
}

type Shape = { n: number; s: number; t: number; stepMicros: number };

/**
 * Rows 1..n on one time axis of the scale's historyDays ending at now. Row g is the system's when
 * floor(g*s/n) steps up (s rows evenly spread), and then its system index is floor(g*s/n).
 */
function shapeOf(scale: Scale): Shape {
  const n = scale.rowsPerTable;
  return { n, s: scale.systemRows, t: scale.tenants, stepMicros: Math.floor((scale.historyDays * 86_400e6) / n) };
}

// x.sys, x.i (system index, 1..s, oldest first), x.k (its age, s - i: 0 for the newest), x.tenant
// (1..t) and x.at (the row's instant) for row g. The system's values are drawn from x.k, so its
// newest rows, the ones a snapshot reads, are the same at every size (s is a multiple of 4, so
// x.i's charter (i - 1) % 4 and hourly slot are the same for a given x.k too).
const rowFacts = `CROSS JOIN LATERAL (
  SELECT g * $2::bigint / $1::bigint > (g - 1) * $2::bigint / $1::bigint AS sys,
         g * $2::bigint / $1::bigint AS i,
         $2::bigint - g * $2::bigint / $1::bigint AS k,
         1 + (g * 7919) % $3::bigint AS tenant,
         $4::timestamptz - ($1::bigint - g + 1) * $5::bigint * interval '1 microsecond' AS at) x`;

const shapeParams = (shape: Shape, now: Date) => [shape.n, shape.s, shape.t, now, shape.stepMicros];

/**
 * Where a run ledger waits while the other one is measured: a schema of its own, off the
 * search_path. One per ledger, because the two cannot share a schema: graph_runs is the renamed
 * schedule_runs and keeps its primary key's name, schedule_runs_pkey, and an index name is unique
 * per schema.
 */
const parkOf = (ledger: Ledger) => `bench_parked_${ledger}`;

/**
 * Creates the schema from scripts/cogni/ with both run ledgers, grants the reader, and seeds
 * everything, two big tables at a time on two connections (two cores). The ledger not in use waits
 * in a schema off the search_path, so that each generation is measured on a database that has
 * exactly one of them, as a deployment does; useLedger() swaps them.
 */
export async function seedDatabase(
  admin: pg.Client,
  second: pg.Client,
  options: { scale: Scale; now: Date; readerRole: string; naiveRole: string },
): Promise<void> {
  await applyCogniSchema(admin, 'graph_runs');
  // schedule_runs is created, granted and loaded where it is parked: `admin` resolves names in that
  // schema first until the end of seeding, and everything else in public as before.
  await admin.query(`CREATE SCHEMA ${parkOf('schedule_runs')}`);
  await admin.query(`CREATE SCHEMA ${parkOf('graph_runs')}`);
  await admin.query(`SET search_path = ${parkOf('schedule_runs')}, public`);
  await admin.query(await readFile(new URL('../scripts/cogni/ledger-schedule-runs.sql', import.meta.url), 'utf8'));
  for (const ledger of ['graph_runs', 'schedule_runs'] as const) {
    await grantReader(admin, { role: options.readerRole, ledger });
    await grantReader(admin, { role: options.naiveRole, ledger });
  }
  // The naive reading joins through execution_grants, which the worker's role may not read.
  await admin.query(`GRANT SELECT ON execution_grants TO ${options.naiveRole}`);
  await seedTenants(admin, options.scale);
  const shape = shapeOf(options.scale);
  const { now } = options;
  await Promise.all([
    (async () => {
      await loadThenIndex(admin, 'charge_receipts', () => insertReceipts(admin, shape, now));
      await loadThenIndex(admin, 'schedule_runs', () => insertRuns(admin, 'schedule_runs', shape, now));
    })(),
    (async () => {
      await loadThenIndex(second, 'ai_threads', () => insertThreads(second, shape, now));
      await loadThenIndex(second, 'graph_runs', () => insertRuns(second, 'graph_runs', shape, now));
    })(),
  ]);
  await admin.query('VACUUM ANALYZE users, billing_accounts, virtual_keys, execution_grants, schedules');
  await admin.query('RESET search_path');
}

/** Makes `ledger` the one run ledger on the search_path, parking the other. */
export async function useLedger(admin: pg.Client, ledger: Ledger): Promise<void> {
  const other: Ledger = ledger === 'graph_runs' ? 'schedule_runs' : 'graph_runs';
  const { rows } = await admin.query('SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2', [parkOf(ledger), ledger]);
  if (rows.length === 0) return;
  await admin.query('BEGIN');
  await admin.query(`ALTER TABLE public.${other} SET SCHEMA ${parkOf(other)}`);
  await admin.query(`ALTER TABLE ${parkOf(ledger)}.${ledger} SET SCHEMA public`);
  await admin.query('COMMIT');
}

async function seedTenants(db: pg.Client, scale: Scale): Promise<void> {
  await db.query(
    `INSERT INTO users (id, name) SELECT 'user-' || g, 'Tenant ' || g FROM generate_series(1, $1::int) g
     UNION ALL SELECT $2, 'Cogni system'`,
    [scale.tenants, system.principalId],
  );
  await db.query(
    `INSERT INTO billing_accounts (id, owner_user_id, balance_credits, is_system_tenant, slug)
     SELECT 'account-' || g, 'user-' || g, 1000000::bigint * g, false, 'tenant-' || g FROM generate_series(1, $1::int) g
     UNION ALL SELECT $2, $3, 48000000000, true, 'cogni_system'`,
    [scale.tenants, system.billingAccountId, system.principalId],
  );
  await db.query('INSERT INTO virtual_keys (billing_account_id, is_default) SELECT id, true FROM billing_accounts');
  await db.query(
    `INSERT INTO execution_grants (user_id, billing_account_id, scopes)
     SELECT owner_user_id, id, '{graph:run}' FROM billing_accounts`,
  );
  await db.query(
    `INSERT INTO schedules (owner_user_id, execution_grant_id, graph_id, input, cron, timezone, temporal_schedule_id)
     SELECT g.user_id, g.id, 'tenant-graph', '{}', (n * 7) % 60 || ' * * * *', 'UTC', 'tenant:' || g.user_id || ':' || n
       FROM execution_grants g CROSS JOIN generate_series(1, 4) n
      WHERE g.user_id <> $1`,
    [system.principalId],
  );
  await db.query(
    `INSERT INTO schedules (owner_user_id, execution_grant_id, graph_id, input, cron, timezone, temporal_schedule_id)
     SELECT $1, g.id, 'governance', '{}', c.cron, c.timezone, c.temporal_id
       FROM execution_grants g
      CROSS JOIN jsonb_to_recordset($2::jsonb) AS c(cron text, timezone text, temporal_id text)
      WHERE g.user_id = $1`,
    [
      system.principalId,
      JSON.stringify(system.charters.map((c) => ({ cron: c.cron, timezone: c.timezone, temporal_id: c.temporalId }))),
    ],
  );
}

async function insertReceipts(db: pg.Client, shape: Shape, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO charge_receipts (id, billing_account_id, virtual_key_id, run_id, attempt, charged_credits, response_cost_usd,
                                  provenance, charge_reason, source_system, source_reference, receipt_kind, created_at)
     SELECT gen_random_uuid(),
            CASE WHEN x.sys THEN $6 ELSE 'account-' || x.tenant END,
            CASE WHEN x.sys THEN k.system_key ELSE k.keys[x.tenant::int] END,
            CASE WHEN x.sys THEN 'system-run-' || x.k ELSE 'run-' || g END,
            1,
            CASE WHEN x.sys THEN 150000 + (x.k * 7919) % 100000 ELSE 1000 + (g * 31) % 50000 END,
            (CASE WHEN x.sys THEN 150000 + (x.k * 7919) % 100000 ELSE 1000 + (g * 31) % 50000 END) / 10000000.0,
            'metered', 'llm_usage', 'litellm',
            CASE WHEN x.sys THEN 'system-' || x.k ELSE 'other-' || g END,
            'llm', x.at
       FROM (SELECT (SELECT array_agg(vk.id ORDER BY a.n)
                       FROM generate_series(1, $3::int) a(n)
                       JOIN virtual_keys vk ON vk.billing_account_id = 'account-' || a.n) AS keys,
                    (SELECT id FROM virtual_keys WHERE billing_account_id = $6) AS system_key) k
      CROSS JOIN generate_series(1::bigint, $1::bigint) g
      ${rowFacts}`,
    [...shapeParams(shape, now), system.billingAccountId],
  );
}

async function insertThreads(db: pg.Client, shape: Shape, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO ai_threads (id, owner_user_id, state_key, metadata, created_at, updated_at, deleted_at)
     SELECT gen_random_uuid(),
            CASE WHEN x.sys THEN $6 ELSE 'user-' || x.tenant END,
            CASE WHEN x.sys THEN 'governance:' || x.k ELSE 'thread-' || g END,
            CASE WHEN x.sys THEN jsonb_build_object('title', 'Governance run ' || x.k, 'charter', (x.i - 1) % 4)
                 ELSE jsonb_build_object('title', 'Conversation ' || g, 'model', 'gpt') END,
            x.at - interval '20 minutes', x.at,
            CASE WHEN (x.sys AND x.k % 50 = 0) OR (NOT x.sys AND g % 40 = 0) THEN x.at END
       FROM generate_series(1::bigint, $1::bigint) g
      ${rowFacts}`,
    [...shapeParams(shape, now), system.principalId],
  );
}

/**
 * Runs: the system's are its charters' hourly slots (charter (i-1) % 4, hour (i-1) / 4 of the
 * history), others' are spread over their tenants' schedules; in graph_runs every fifth run of
 * another tenant was started by hand (no schedule_id, no scheduled_for).
 */
async function insertRuns(db: pg.Client, ledger: Ledger, shape: Shape, now: Date): Promise<void> {
  const generation2 = ledger === 'graph_runs';
  const manual = generation2 ? 'NOT x.sys AND g % 5 = 0' : 'false';
  const extraColumns = generation2
    ? ', graph_id, run_kind, trigger_source, trigger_ref, requested_by, error_code, state_key'
    : '';
  const extraValues = generation2
    ? `, CASE WHEN x.sys THEN 'governance' ELSE 'tenant-graph' END,
         CASE WHEN ${manual} THEN 'user' ELSE 'scheduled' END,
         CASE WHEN ${manual} THEN 'api' ELSE 'temporal' END,
         'ref-' || g,
         CASE WHEN x.sys THEN $6 ELSE 'user-' || x.tenant END,
         CASE WHEN status.error THEN 'insufficient_credits' END,
         CASE WHEN x.sys THEN 'governance:' || x.k ELSE 'thread-' || g END`
    : '';
  await db.query(
    `INSERT INTO ${ledger} (id, schedule_id, run_id, scheduled_for, started_at, completed_at, status, attempt_count,
                            error_message${extraColumns})
     SELECT gen_random_uuid(),
            CASE WHEN x.sys THEN s.system_ids[(1 + (x.i - 1) % 4)::int]
                 WHEN ${manual} THEN NULL
                 ELSE s.ids[(4 * (x.tenant - 1) + 1 + g % 4)::int] END,
            CASE WHEN x.sys THEN 'system-run-' || x.k ELSE 'run-' || g END,
            slot.at, slot.at + interval '2 seconds', slot.at + interval '40 seconds',
            CASE WHEN status.error THEN 'error' ELSE 'success' END,
            1,
            CASE WHEN status.error THEN 'insufficient_credits' END${extraValues}
       FROM (SELECT (SELECT array_agg(sc.id ORDER BY a.n, b.n)
                       FROM generate_series(1, $3::int) a(n) CROSS JOIN generate_series(1, 4) b(n)
                       JOIN schedules sc ON sc.owner_user_id = 'user-' || a.n
                                        AND sc.temporal_schedule_id = 'tenant:user-' || a.n || ':' || b.n) AS ids,
                    (SELECT array_agg(id ORDER BY array_position($7::text[], temporal_schedule_id)) FROM schedules
                      WHERE owner_user_id = $6 AND temporal_schedule_id IS NOT NULL) AS system_ids) s
      CROSS JOIN generate_series(1::bigint, $1::bigint) g
      ${rowFacts}
      CROSS JOIN LATERAL (
        SELECT CASE WHEN x.sys THEN date_trunc('hour', $4::timestamptz)
                                    - ($2::bigint / 4 - (x.i - 1) / 4) * interval '1 hour'
                                    + ((x.i - 1) % 4) * interval '15 minutes'
                    WHEN ${manual} THEN NULL
                    ELSE x.at END AS at) slot
      CROSS JOIN LATERAL (SELECT CASE WHEN x.sys THEN x.k % 7 = 0 ELSE g % 10 = 0 END AS error) status`,
    [...shapeParams(shape, now), system.principalId, system.charters.map((charter) => charter.temporalId)],
  );
}

/** The system's rows inside the snapshot's 24-hour windows, and the heap pages that hold them. */
export type WindowPages = Record<'receipts' | 'threads' | 'runs', { rows: number; pages: number }>;

/**
 * Counts, for the ledger on the search_path, the heap pages a snapshot must visit for the system's
 * rows of the last 24 hours: where those rows share pages, the database reads fewer buffers than one
 * where the system is one tenant among many.
 */
export async function windowPages(db: pg.Client, now: Date): Promise<WindowPages> {
  const pagesOf = (from: string) =>
    `(SELECT json_build_object('rows', count(*), 'pages', count(DISTINCT (ctid::text::point)[0])) FROM ${from})`;
  const { rows } = await db.query<WindowPages>(
    `SELECT ${pagesOf(`charge_receipts WHERE billing_account_id = $1 AND created_at >= $3 AND created_at < $4`)} AS receipts,
            ${pagesOf(`ai_threads WHERE owner_user_id = $2 AND updated_at > $3 AND updated_at <= $4`)} AS threads,
            ${pagesOf(`${await ledgerInUse(db)} r WHERE r.schedule_id IN (SELECT id FROM schedules WHERE owner_user_id = $2)
                         AND r.scheduled_for >= $3 AND r.scheduled_for <= $4`)} AS runs`,
    [system.billingAccountId, system.principalId, new Date(now.getTime() - 86_400_000), now],
  );
  return rows[0]!;
}

async function ledgerInUse(db: pg.Client): Promise<Ledger> {
  const { rows } = await db.query<{ tablename: Ledger }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('graph_runs', 'schedule_runs')`,
  );
  if (rows.length !== 1) throw new Error(`expected one run ledger on the search_path, found ${rows.length}`);
  return rows[0]!.tablename;
}
