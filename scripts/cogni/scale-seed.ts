// Set-based seeding of a Cogni-shaped database with the shapes real deployments have: other tenants'
// rows in the big shared tables, the system's hourly charters, a system charter that has run every
// minute for a year (the most common schedule_id of the ledger) and one failing every minute for
// weeks. One INSERT ... SELECT generate_series per table, minute by minute in time order (the
// system's rows of a minute, then everyone else's), as an application appending as things happen
// stores them. Used by the bench (bench/seed.ts) and the integration tests alike.
import { readFile } from 'node:fs/promises';
import type { ClientBase } from 'pg';
import { grantReader, type Ledger } from './apply-schema.ts';
import { loadThenIndex } from './load.ts';

const minuteMs = 60_000;
const dayMinutes = 24 * 60;

export const systemTenant = {
  principalId: '00000000-0000-4000-a000-000000000001',
  billingAccountId: '00000000-0000-4000-b000-000000000000',
  balanceCredits: 48_000_000_000n,
  /** hourly charters, one at each quarter hour, in four time zones (whole hours from UTC) */
  hourly: [
    { temporalId: 'governance:community', cron: '0 * * * *', timezone: 'UTC' },
    { temporalId: 'governance:engineering', cron: '15 * * * *', timezone: 'Europe/Berlin' },
    { temporalId: 'governance:sustainability', cron: '30 * * * *', timezone: 'America/New_York' },
    { temporalId: 'governance:govern', cron: '45 * * * *', timezone: 'Asia/Tokyo' },
  ],
  /** runs every minute and always succeeds: after a year, the most common schedule_id of the ledger */
  heartbeat: { temporalId: 'governance:heartbeat', cron: '* * * * *', timezone: 'UTC' },
  /** runs every minute; succeeded, then fails every run with insufficient_credits (an outage) */
  treasury: { temporalId: 'governance:treasury', cron: '* * * * *', timezone: 'UTC' },
} as const;

export type Shapes = {
  /** other tenants' rows in each big table (charge_receipts, the run ledger, ai_threads) */
  otherRows: number;
  /** other tenants: one user, billing account, key and grant each, and four schedules */
  tenants: number;
  /** days of other tenants' rows and of the hourly charters' runs, ending at the last slot */
  historyDays: number;
  /** the heartbeat charter: days of runs, and whether each leaves a receipt and a thread, as a
   *  charter that calls a model does (false keeps a test's fixture small; null: no such charter) */
  heartbeat: { days: number; charged: boolean } | null;
  /** the treasury charter: days of successes, then days of failures up to the last slot (null: no such charter) */
  treasury: { succeededDays: number; failingDays: number } | null;
};

/** The last minute slot of every history: the latest whose run (at most 40 s long) has finished by `now`. */
export function lastSlotOf(now: Date): Date {
  return new Date(Math.floor((now.getTime() - 40_000) / minuteMs) * minuteMs);
}

/** The system's rows each table gets per minute of the charters' histories, for describing a size. */
export function systemRowsPerDay(shapes: Pick<Shapes, 'heartbeat' | 'treasury'>): { runs: number; receipts: number; threads: number } {
  const hourly = 24 * systemTenant.hourly.length;
  const heartbeat = shapes.heartbeat ? dayMinutes : 0;
  const charged = shapes.heartbeat?.charged ? dayMinutes : 0;
  const treasury = shapes.treasury ? dayMinutes : 0;
  // A run refused for want of credits leaves neither a receipt nor a thread.
  return { runs: hourly + heartbeat + treasury, receipts: (hourly + charged) * receiptsPerRun, threads: hourly + charged };
}

/** Where a run ledger waits while the other one is in use: a schema of its own, off the search_path. */
const parkOf = (ledger: Ledger) => `cogni_parked_${ledger}`;

/**
 * Seeds a database that has the Cogni schema with `ledgers[0]` (apply-schema.ts) and the reader
 * grants for `roles`. With two ledgers, the second is created and loaded in a schema off the
 * search_path, so that each generation can be read on a database that has exactly one of them
 * (useLedger swaps them): the two cannot share a schema, as graph_runs keeps schedule_runs_pkey.
 * Big tables are loaded two at a time on the two connections. Needs a superuser.
 */
export async function seedShapes(
  admin: ClientBase,
  second: ClientBase,
  options: { shapes: Shapes; now: Date; ledgers: readonly Ledger[]; roles: readonly string[] },
): Promise<void> {
  const { shapes, now, ledgers, roles } = options;
  const [inUse, parked] = ledgers;
  if (!inUse) throw new Error('seedShapes needs at least one ledger');
  if (parked) {
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${parkOf(parked)}`);
    // `admin` resolves names in the parked schema first until the end of seeding: the second
    // ledger is created, granted and loaded there, everything else in public as before.
    await admin.query(`SET search_path = ${parkOf(parked)}, public`);
    const file = parked === 'graph_runs' ? 'ledger-graph-runs.sql' : 'ledger-schedule-runs.sql';
    await admin.query(await readFile(new URL(file, import.meta.url), 'utf8'));
    for (const role of roles) await grantReader(admin, { role, ledger: parked });
  }
  try {
    await seedTenants(admin, shapes, now);
    const plan = layoutOf(shapes, now);
    const loads = (client: ClientBase, tables: string[]) =>
      (async () => {
        for (const table of tables) {
          await loadThenIndex(client, table, () => {
            if (table === 'charge_receipts') return insertReceipts(client, plan);
            if (table === 'llm_charge_details') return insertChargeDetails(client);
            return table === 'ai_threads' ? insertThreads(client, plan) : insertRuns(client, table as Ledger, plan);
          });
        }
      })();
    // Each connection resolves its ledger by name: `second` sees only public, so it loads inUse there.
    // A detail row is made from its receipt, so llm_charge_details follows charge_receipts.
    await Promise.all([loads(admin, ['charge_receipts', 'llm_charge_details', ...(parked ? [parked] : [])]), loads(second, ['ai_threads', inUse])]);
    await admin.query('VACUUM ANALYZE users, billing_accounts, virtual_keys, execution_grants, schedules');
  } finally {
    await admin.query('RESET search_path');
  }
}

/** Makes `ledger` the one run ledger on the search_path, parking the other (see seedShapes). */
export async function useLedger(admin: ClientBase, ledger: Ledger): Promise<void> {
  const other: Ledger = ledger === 'graph_runs' ? 'schedule_runs' : 'graph_runs';
  const { rows } = await admin.query('SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2', [parkOf(ledger), ledger]);
  if (rows.length === 0) return;
  await admin.query('BEGIN');
  try {
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${parkOf(other)}`);
    await admin.query(`ALTER TABLE public.${other} SET SCHEMA ${parkOf(other)}`);
    await admin.query(`ALTER TABLE ${parkOf(ledger)}.${ledger} SET SCHEMA public`);
    await admin.query('COMMIT');
  } catch (error) {
    await admin.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** The run ledger on the search_path. */
export async function ledgerInUse(db: ClientBase): Promise<Ledger> {
  const { rows } = await db.query<{ tablename: Ledger }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('graph_runs', 'schedule_runs')`,
  );
  if (rows.length !== 1) throw new Error(`expected one run ledger on the search_path, found ${rows.length}`);
  return rows[0]!.tablename;
}

async function seedTenants(db: ClientBase, shapes: Shapes, now: Date): Promise<void> {
  const system = systemTenant;
  await db.query(
    `INSERT INTO users (id, name) SELECT 'user-' || g, 'Tenant ' || g FROM generate_series(1, $1::int) g
     UNION ALL SELECT $2, 'Cogni system'`,
    [shapes.tenants, system.principalId],
  );
  await db.query(
    `INSERT INTO billing_accounts (id, owner_user_id, balance_credits, is_system_tenant, slug)
     SELECT 'account-' || g, 'user-' || g, 1000000::bigint * g, false, 'tenant-' || g FROM generate_series(1, $1::int) g
     UNION ALL SELECT $2, $3, $4::bigint, true, 'cogni_system'`,
    [shapes.tenants, system.billingAccountId, system.principalId, system.balanceCredits.toString()],
  );
  await db.query('INSERT INTO virtual_keys (billing_account_id, is_default) SELECT id, true FROM billing_accounts');
  await db.query(`INSERT INTO execution_grants (user_id, billing_account_id, scopes) SELECT owner_user_id, id, '{graph:run}' FROM billing_accounts`);
  await db.query(
    `INSERT INTO schedules (owner_user_id, execution_grant_id, graph_id, input, cron, timezone, temporal_schedule_id)
     SELECT g.user_id, g.id, 'tenant-graph', '{}', (n * 7) % 60 || ' * * * *', 'UTC', 'tenant:' || g.user_id || ':' || n
       FROM execution_grants g CROSS JOIN generate_series(1, 4) n
      WHERE g.user_id <> $1`,
    [system.principalId],
  );
  // The system's charters, each last changed when its history began (never "just now": a schedule
  // changed inside the window would excuse the fires before the change).
  const lastSlot = lastSlotOf(now).getTime();
  const since = (days: number) => new Date(lastSlot - days * dayMinutes * minuteMs);
  const charters = [
    ...system.hourly.map((charter) => ({ ...charter, since: since(shapes.historyDays) })),
    ...(shapes.heartbeat ? [{ ...system.heartbeat, since: since(shapes.heartbeat.days) }] : []),
    ...(shapes.treasury ? [{ ...system.treasury, since: since(shapes.treasury.succeededDays + shapes.treasury.failingDays) }] : []),
  ];
  await db.query(
    `INSERT INTO schedules (owner_user_id, execution_grant_id, graph_id, input, cron, timezone, temporal_schedule_id, created_at, updated_at)
     SELECT $1, g.id, 'governance', '{}', c.cron, c.timezone, c.temporal_id, c.since, c.since
       FROM execution_grants g
      CROSS JOIN jsonb_to_recordset($2::jsonb) AS c(cron text, timezone text, temporal_id text, since timestamptz)
      WHERE g.user_id = $1`,
    [system.principalId, JSON.stringify(charters.map((c) => ({ cron: c.cron, timezone: c.timezone, temporal_id: c.temporalId, since: c.since.toISOString() })))],
  );
}

type Layout = {
  /** the newest minute slot */
  lastSlot: Date;
  /** minutes generated, oldest first: the longest history */
  minutes: number;
  /** the last this-many minutes hold other tenants' rows and the hourly charters' runs */
  otherMinutes: number;
  otherRows: number;
  tenants: number;
  heartbeatMinutes: number;
  heartbeatCharged: boolean;
  treasuryMinutes: number;
  failingMinutes: number;
};

function layoutOf(shapes: Shapes, now: Date): Layout {
  const treasuryDays = shapes.treasury ? shapes.treasury.succeededDays + shapes.treasury.failingDays : 0;
  const days = Math.max(shapes.historyDays, shapes.heartbeat?.days ?? 0, treasuryDays);
  return {
    lastSlot: lastSlotOf(now),
    minutes: days * dayMinutes,
    otherMinutes: shapes.historyDays * dayMinutes,
    otherRows: shapes.otherRows,
    tenants: shapes.tenants,
    heartbeatMinutes: (shapes.heartbeat?.days ?? 0) * dayMinutes,
    heartbeatCharged: shapes.heartbeat?.charged ?? false,
    treasuryMinutes: treasuryDays * dayMinutes,
    failingMinutes: (shapes.treasury?.failingDays ?? 0) * dayMinutes,
  };
}

const layoutParams = (plan: Layout) => [
  plan.lastSlot,
  plan.minutes,
  plan.otherMinutes,
  plan.otherRows,
  plan.tenants,
  plan.heartbeatMinutes,
  plan.treasuryMinutes,
  plan.failingMinutes,
  Math.round(plan.lastSlot.getTime() / minuteMs),
];

/**
 * The rows of a table, minute by minute from the oldest: in each minute, first the system's rows
 * of that minute (`kinds`: the heartbeat, the treasury, an hourly charter at a quarter hour; the
 * charters fire on the minute, so their rows are written together), then other tenants' share of
 * otherRows (spread evenly over the otherMinutes) at evenly spread instants of the minute. Per row:
 *   x.sys, x.kind ('heartbeat' | 'treasury' | 'hourly'), x.charter (an hourly charter's index, 0-3),
 *   x.name (the charter's short name), x.failing (a treasury run in its outage), x.slot (the minute),
 *   x.epoch_minute, and for other tenants' rows x.g (their global index, 1..otherRows, in time
 *   order), x.tenant (1..tenants) and x.at (an instant inside the minute).
 * Integer arithmetic on epoch minutes throughout (extract() is numeric, and slow at millions of
 * rows), and nothing per row but other tenants' own columns: the minute's work is done once.
 */
function minuteRows(kinds: { heartbeat: boolean; treasury: boolean }): string {
  return `generate_series(0, $2::int - 1) AS m(i)
      CROSS JOIN LATERAL (
        SELECT $1::timestamptz - ($2::int - 1 - m.i) * interval '1 minute' AS slot, $2::int - 1 - m.i AS age,
               $9::bigint - ($2::int - 1 - m.i) AS epoch_minute) t
      CROSS JOIN LATERAL (
        SELECT CASE WHEN t.age < $3::int THEN ($3::int - t.age) * $4::bigint / $3::int - ($3::int - 1 - t.age) * $4::bigint / $3::int ELSE 0 END AS others,
               CASE WHEN t.age < $3::int THEN ($3::int - 1 - t.age) * $4::bigint / $3::int ELSE 0 END AS before) o
      CROSS JOIN LATERAL (
        SELECT true AS sys, k.kind, k.kind = 'treasury' AND t.age < $8::int AS failing, 0::bigint AS local
          FROM unnest(ARRAY[
                 CASE WHEN ${kinds.heartbeat} AND t.age < $6::int THEN 'heartbeat' END,
                 CASE WHEN ${kinds.treasury} AND t.age < $7::int THEN 'treasury' END,
                 CASE WHEN t.age < $3::int AND t.epoch_minute % 15 = 0 THEN 'hourly' END]) AS k(kind)
         WHERE k.kind IS NOT NULL
        UNION ALL
        SELECT false, NULL, false, n FROM generate_series(0::bigint, o.others - 1) AS n) r
      CROSS JOIN LATERAL (
        SELECT r.sys, r.kind, t.slot, t.epoch_minute, r.failing,
               (t.epoch_minute % 60 / 15)::int AS charter,
               CASE r.kind WHEN 'hourly' THEN (ARRAY['community', 'engineering', 'sustainability', 'govern'])[t.epoch_minute % 60 / 15 + 1]
                           ELSE r.kind END AS name,
               o.before + r.local + 1 AS g,
               1 + ((o.before + r.local + 1) * 7919) % $5::bigint AS tenant,
               t.slot + ((2 * r.local + 1) * 30000000 / greatest(o.others, 1)) * interval '1 microsecond' AS at
        OFFSET 0) x`;
}

/** The system's runs that fail: the treasury in its outage, and every 7th hourly slot of a charter. */
const systemError = `(x.failing OR (x.kind = 'hourly' AND (x.epoch_minute / 60 + x.charter) % 7 = 0))`;

/** Each charged run of the system calls the models in turn, one receipt per call, 10 s apart. */
export const receiptsPerRun = 3;

/**
 * The models of the seeded charges, by receipt number (a run's n-th call; another tenant's row by
 * its index): the third provider reports no USD cost, as some do not.
 */
export const seededModels = [
  { model: 'anthropic/claude-sonnet-4.5', provider: 'anthropic', reportsUsd: true },
  { model: 'openai/gpt-4.1-mini', provider: 'openai', reportsUsd: true },
  { model: 'google/gemini-2.5-flash', provider: 'google', reportsUsd: false },
] as const;

/**
 * Receipts: the system's charged runs make receiptsPerRun LLM calls each (the treasury, refused for
 * want of credits, charges nothing); once a day the hourly 00:00 run's last receipt is a manual
 * adjustment and the 12:00 one's a promo, receipts of no run and without details. Another tenant's
 * row is one LLM receipt. The model's number is the source_reference's last character, from which
 * insertChargeDetails picks the model.
 */
async function insertReceipts(db: ClientBase, plan: Layout): Promise<void> {
  await db.query(
    `INSERT INTO charge_receipts (id, billing_account_id, virtual_key_id, run_id, attempt, charged_credits, response_cost_usd,
                                  provenance, charge_reason, source_system, source_reference, receipt_kind, created_at)
     SELECT gen_random_uuid(),
            CASE WHEN x.sys THEN $10 ELSE 'account-' || x.tenant END,
            CASE WHEN x.sys THEN k.system_key ELSE k.keys[x.tenant::int] END,
            CASE WHEN c.kind <> 'llm' THEN c.kind || '-' || x.epoch_minute
                 WHEN x.sys THEN 'system-' || x.name || '-' || x.epoch_minute ELSE 'run-' || x.g END,
            1, c.credits,
            CASE WHEN c.kind = 'llm' AND (c.model::jsonb ->> 'reportsUsd')::boolean THEN c.credits / 10000000.0 END,
            'metered', CASE c.kind WHEN 'llm' THEN 'llm_usage' WHEN 'adjustment' THEN 'manual_adjustment' ELSE 'promo_credit_consumption' END,
            CASE WHEN c.kind = 'llm' THEN 'litellm' ELSE 'billing' END,
            CASE WHEN x.sys THEN 'system-' || x.name || '-' || x.epoch_minute ELSE 'other-' || x.g END || '-' || c.m,
            c.kind,
            CASE WHEN x.sys THEN x.slot + c.n * interval '10 seconds' ELSE x.at END
       FROM (SELECT (SELECT array_agg(vk.id ORDER BY a.n)
                       FROM generate_series(1, $5::int) a(n)
                       JOIN virtual_keys vk ON vk.billing_account_id = 'account-' || a.n) AS keys,
                    (SELECT id FROM virtual_keys WHERE billing_account_id = $10) AS system_key) k
      CROSS JOIN ${minuteRows({ heartbeat: plan.heartbeatCharged, treasury: false })}
      CROSS JOIN LATERAL (
        SELECT n.n, m.m, ($12::jsonb -> (m.m - 1))::text AS model,
               CASE WHEN x.sys AND x.kind = 'hourly' AND n.n = $11 AND x.epoch_minute % 1440 = 0 THEN 'adjustment'
                    WHEN x.sys AND x.kind = 'hourly' AND n.n = $11 AND x.epoch_minute % 1440 = 720 THEN 'promo'
                    ELSE 'llm' END AS kind,
               CASE WHEN x.sys THEN 40000 + (x.epoch_minute * 7919 + n.n * 104729) % 40000 ELSE 1000 + (x.g * 31) % 50000 END AS credits
          FROM generate_series(1, CASE WHEN x.sys THEN $11::int ELSE 1 END) AS n(n)
         CROSS JOIN LATERAL (SELECT CASE WHEN x.sys THEN n.n ELSE (x.g % $13 + 1)::int END AS m) m
         OFFSET 0) c`,
    [...layoutParams(plan), systemTenant.billingAccountId, receiptsPerRun, JSON.stringify(seededModels), seededModels.length],
  );
}

/** One llm_charge_details row per LLM receipt, in the receipts' order: its model by call number, its tokens from its credits. */
async function insertChargeDetails(db: ClientBase): Promise<void> {
  await db.query(
    `INSERT INTO llm_charge_details (charge_receipt_id, provider_call_id, model, provider, tokens_in, tokens_out, latency_ms, graph_id)
     SELECT cr.id, 'call-' || cr.source_reference, m.model, m.provider,
            (cr.charged_credits / 40)::int, (cr.charged_credits / 160)::int, 400 + (cr.charged_credits % 3000)::int,
            CASE WHEN cr.billing_account_id = $1 THEN 'langgraph:' || split_part(cr.run_id, '-', 2) ELSE 'langgraph:assistant' END
       FROM charge_receipts cr
       JOIN jsonb_to_recordset($2::jsonb) AS m(n int, model text, provider text) ON m.n = right(cr.source_reference, 1)::int
      WHERE cr.receipt_kind = 'llm'`,
    [systemTenant.billingAccountId, JSON.stringify(seededModels.map((model, index) => ({ n: index + 1, ...model })))],
  );
}

async function insertThreads(db: ClientBase, plan: Layout): Promise<void> {
  await db.query(
    `INSERT INTO ai_threads (id, owner_user_id, state_key, metadata, created_at, updated_at, deleted_at)
     SELECT gen_random_uuid(),
            CASE WHEN x.sys THEN $10 ELSE 'user-' || x.tenant END,
            CASE WHEN x.sys THEN 'system-' || x.name || '-' || x.epoch_minute ELSE 'thread-' || x.g END,
            CASE WHEN x.sys THEN jsonb_build_object('title', 'Governance run ' || x.name || ' ' || x.epoch_minute, 'charter', x.name)
                 ELSE jsonb_build_object('title', 'Conversation ' || x.g, 'model', 'gpt') END,
            CASE WHEN x.sys THEN x.slot + interval '2 seconds' ELSE x.at - interval '20 minutes' END,
            CASE WHEN x.sys THEN x.slot + interval '40 seconds' ELSE x.at END,
            CASE WHEN (x.sys AND x.epoch_minute % 50 = 0) OR (NOT x.sys AND x.g % 40 = 0)
                 THEN CASE WHEN x.sys THEN x.slot + interval '40 seconds' ELSE x.at END END
       FROM ${minuteRows({ heartbeat: plan.heartbeatCharged, treasury: false })}`,
    [...layoutParams(plan), systemTenant.principalId],
  );
}

/**
 * Runs: the system's at their slots (started 2 s and finished 40 s after, a refused run 5 s
 * after); other tenants' spread over their schedules, and in graph_runs every fifth of theirs
 * started by hand (no schedule_id, no scheduled_for).
 */
async function insertRuns(db: ClientBase, ledger: Ledger, plan: Layout): Promise<void> {
  const generation2 = ledger === 'graph_runs';
  const manual = generation2 ? 'NOT x.sys AND x.g % 5 = 0' : 'false';
  const failed = `CASE WHEN x.sys THEN ${systemError} ELSE x.g % 10 = 0 END`;
  const extraColumns = generation2 ? ', graph_id, run_kind, trigger_source, trigger_ref, requested_by, error_code, state_key' : '';
  const extraValues = generation2
    ? `, CASE WHEN x.sys THEN 'governance' ELSE 'tenant-graph' END,
         CASE WHEN x.sys THEN 'system_scheduled' WHEN ${manual} THEN 'user' ELSE 'scheduled' END,
         CASE WHEN x.sys THEN 'temporal_schedule' WHEN ${manual} THEN 'api' ELSE 'temporal' END,
         CASE WHEN x.sys THEN 'governance:' || x.name ELSE 'ref-' || x.g END,
         CASE WHEN x.sys THEN $10 ELSE 'user-' || x.tenant END,
         CASE WHEN ${failed} THEN 'insufficient_credits' END,
         CASE WHEN x.sys THEN 'system-' || x.name || '-' || x.epoch_minute ELSE 'thread-' || x.g END`
    : '';
  await db.query(
    `INSERT INTO ${ledger} (id, schedule_id, run_id, scheduled_for, started_at, completed_at, status, attempt_count,
                            error_message${extraColumns})
     SELECT gen_random_uuid(),
            CASE WHEN x.sys THEN s.system_ids[array_position(s.system_names, 'governance:' || x.name)]
                 WHEN ${manual} THEN NULL
                 ELSE s.ids[(4 * (x.tenant - 1) + 1 + x.g % 4)::int] END,
            CASE WHEN x.sys THEN 'system-' || x.name || '-' || x.epoch_minute ELSE 'run-' || x.g END,
            slot.at, slot.at + interval '2 seconds',
            slot.at + CASE WHEN x.sys AND ${systemError} THEN interval '5 seconds' ELSE interval '40 seconds' END,
            CASE WHEN ${failed} THEN 'error' ELSE 'success' END,
            1,
            CASE WHEN ${failed} THEN 'insufficient_credits' END${extraValues}
       FROM (SELECT (SELECT array_agg(sc.id ORDER BY a.n, b.n)
                       FROM generate_series(1, $5::int) a(n) CROSS JOIN generate_series(1, 4) b(n)
                       JOIN schedules sc ON sc.owner_user_id = 'user-' || a.n
                                        AND sc.temporal_schedule_id = 'tenant:user-' || a.n || ':' || b.n) AS ids,
                    (SELECT array_agg(id ORDER BY temporal_schedule_id) FROM schedules
                      WHERE owner_user_id = $10 AND temporal_schedule_id IS NOT NULL) AS system_ids,
                    (SELECT array_agg(temporal_schedule_id ORDER BY temporal_schedule_id) FROM schedules
                      WHERE owner_user_id = $10 AND temporal_schedule_id IS NOT NULL) AS system_names) s
      CROSS JOIN ${minuteRows({ heartbeat: true, treasury: true })}
      CROSS JOIN LATERAL (SELECT CASE WHEN x.sys THEN x.slot WHEN ${manual} THEN NULL ELSE x.at END AS at) slot`,
    [...layoutParams(plan), systemTenant.principalId],
  );
}
