// Proves the fixture database is what the worker relies on (cogni-schema.md), for both ledger
// generations: columns, keys and indexes as listed and under the application's own names, RLS
// forced everywhere with its policies, and a reader role that sees one tenant's rows only when
// app.current_user_id is set in its transaction.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Ledger } from '../../scripts/cogni/apply-schema.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const system = { userId: '00000000-0000-4000-a000-000000000001', accountId: '00000000-0000-4000-b000-000000000000' };
const other = { userId: 'user-other', accountId: 'account-other' };

const commonColumns: Record<string, string[]> = {
  users: ['id text not null', 'name text', 'wallet_address text'],
  billing_accounts: [
    'id text not null',
    'owner_user_id text not null',
    'balance_credits bigint not null',
    'is_system_tenant boolean not null default false',
    'slug text',
    'created_at timestamptz not null default now()',
  ],
  virtual_keys: [
    'id uuid not null default gen_random_uuid()',
    'billing_account_id text not null',
    "label text default 'Default'::text",
    'is_default boolean not null default false',
    'active boolean not null default true',
    'created_at timestamptz not null default now()',
  ],
  charge_receipts: [
    'id uuid not null default gen_random_uuid()',
    'billing_account_id text not null',
    'virtual_key_id uuid not null',
    'run_id text not null',
    'attempt integer not null',
    'charged_credits bigint not null',
    'response_cost_usd numeric',
    'provenance text not null',
    'charge_reason text not null',
    'source_system text not null',
    'source_reference text not null',
    'receipt_kind text not null',
    'created_at timestamptz not null default now()',
  ],
  llm_charge_details: [
    'charge_receipt_id uuid not null',
    'provider_call_id text',
    'model text not null',
    'provider text',
    'tokens_in integer',
    'tokens_out integer',
    'latency_ms integer',
    'graph_id text not null',
  ],
  execution_grants: [
    'id uuid not null default gen_random_uuid()',
    'user_id text not null',
    'billing_account_id text not null',
    'scopes text[] not null',
    'expires_at timestamptz',
    'revoked_at timestamptz',
    'created_at timestamptz not null default now()',
  ],
  schedules: [
    'id uuid not null default gen_random_uuid()',
    'owner_user_id text not null',
    'execution_grant_id uuid not null',
    'graph_id text not null',
    'input jsonb not null',
    'cron text not null',
    'timezone text not null',
    'enabled boolean not null default true',
    'next_run_at timestamptz',
    'last_run_at timestamptz',
    'temporal_schedule_id text',
    'created_at timestamptz not null default now()',
    'updated_at timestamptz not null default now()',
  ],
  ai_threads: [
    'id uuid not null default gen_random_uuid()',
    'owner_user_id text not null',
    'state_key text not null',
    "messages jsonb not null default '[]'::jsonb",
    'metadata jsonb',
    'created_at timestamptz not null default now()',
    'updated_at timestamptz not null default now()',
    'deleted_at timestamptz',
  ],
};
// generation 2 gave id a default; generation 1 has none
const runColumns = (scheduleNull: string, idDefault: string) => [
  `id uuid not null${idDefault}`,
  `schedule_id uuid${scheduleNull}`,
  'run_id text not null',
  `scheduled_for timestamptz${scheduleNull}`,
  'started_at timestamptz',
  'completed_at timestamptz',
  "status text not null default 'pending'::text",
  'attempt_count integer not null default 0',
  'langfuse_trace_id text',
  'error_message text',
];
const ledgerColumns: Record<Ledger, string[]> = {
  schedule_runs: runColumns(' not null', ''),
  graph_runs: [
    ...runColumns('', ' default gen_random_uuid()'),
    ...['graph_id', 'run_kind', 'trigger_source', 'trigger_ref', 'requested_by', 'error_code', 'state_key'].map(
      (column) => `${column} text`,
    ),
  ],
};

// Every foreign key ON DELETE CASCADE, named as the application's migrations (drizzle-kit) name it.
const commonForeignKeys = [
  'billing_accounts_owner_user_id_users_id_fk: billing_accounts (owner_user_id) -> users (id) ON DELETE CASCADE',
  'charge_receipts_billing_account_id_billing_accounts_id_fk: charge_receipts (billing_account_id) -> billing_accounts (id) ON DELETE CASCADE',
  'charge_receipts_virtual_key_id_virtual_keys_id_fk: charge_receipts (virtual_key_id) -> virtual_keys (id) ON DELETE CASCADE',
  'execution_grants_billing_account_id_billing_accounts_id_fk: execution_grants (billing_account_id) -> billing_accounts (id) ON DELETE CASCADE',
  'execution_grants_user_id_users_id_fk: execution_grants (user_id) -> users (id) ON DELETE CASCADE',
  'llm_charge_details_charge_receipt_id_charge_receipts_id_fk: llm_charge_details (charge_receipt_id) -> charge_receipts (id) ON DELETE CASCADE',
  'schedules_execution_grant_id_execution_grants_id_fk: schedules (execution_grant_id) -> execution_grants (id) ON DELETE CASCADE',
  'schedules_owner_user_id_users_id_fk: schedules (owner_user_id) -> users (id) ON DELETE CASCADE',
  'virtual_keys_billing_account_id_billing_accounts_id_fk: virtual_keys (billing_account_id) -> billing_accounts (id) ON DELETE CASCADE',
];
const ledgerForeignKey = (ledger: Ledger) =>
  `${ledger}_schedule_id_schedules_id_fk: ${ledger} (schedule_id) -> schedules (id) ON DELETE CASCADE`;

// The indexes of cogni-schema.md by table and name, primary keys and UNIQUE constraints included
// (each is an index too). A UNIQUE CONSTRAINT is declared on the table; a UNIQUE INDEX is not.
type Indexes = Record<string, Record<string, string>>;
const commonIndexes: Indexes = {
  users: {
    users_pkey: 'PRIMARY KEY (id)',
    users_wallet_address_unique: 'UNIQUE CONSTRAINT (wallet_address)',
  },
  billing_accounts: {
    billing_accounts_pkey: 'PRIMARY KEY (id)',
    billing_accounts_owner_user_id_unique: 'UNIQUE CONSTRAINT (owner_user_id)',
    billing_accounts_slug_unique: 'UNIQUE CONSTRAINT (slug)',
    billing_accounts_one_system_tenant: 'UNIQUE INDEX (is_system_tenant) WHERE is_system_tenant = true',
  },
  virtual_keys: { virtual_keys_pkey: 'PRIMARY KEY (id)' },
  charge_receipts: {
    charge_receipts_pkey: 'PRIMARY KEY (id)',
    charge_receipts_billing_account_idx: 'INDEX (billing_account_id)',
    charge_receipts_aggregation_idx: 'INDEX (billing_account_id, created_at)',
    charge_receipts_pagination_idx: 'INDEX (billing_account_id, created_at, id)',
    charge_receipts_run_attempt_idx: 'INDEX (run_id, attempt)',
    charge_receipts_virtual_key_idx: 'INDEX (virtual_key_id)',
    charge_receipts_source_idempotency_unique: 'UNIQUE INDEX (source_system, source_reference)',
  },
  llm_charge_details: { llm_charge_details_pkey: 'PRIMARY KEY (charge_receipt_id)' },
  execution_grants: { execution_grants_pkey: 'PRIMARY KEY (id)' },
  schedules: {
    schedules_pkey: 'PRIMARY KEY (id)',
    schedules_owner_idx: 'INDEX (owner_user_id)',
    schedules_next_run_idx: 'INDEX (next_run_at)',
    schedules_grant_idx: 'INDEX (execution_grant_id)',
    schedules_temporal_id_unique: 'UNIQUE INDEX (owner_user_id, temporal_schedule_id) WHERE temporal_schedule_id IS NOT NULL',
  },
  ai_threads: {
    ai_threads_pkey: 'PRIMARY KEY (id)',
    ai_threads_owner_state_key_unique: 'UNIQUE INDEX (owner_user_id, state_key)',
    ai_threads_owner_updated_idx: 'INDEX (owner_user_id, updated_at)',
  },
};
const ledgerIndexes: Record<Ledger, Record<string, string>> = {
  schedule_runs: {
    schedule_runs_pkey: 'PRIMARY KEY (id)',
    schedule_runs_schedule_idx: 'INDEX (schedule_id)',
    schedule_runs_scheduled_for_idx: 'INDEX (scheduled_for)',
    schedule_runs_run_id_idx: 'INDEX (run_id)',
    schedule_runs_schedule_slot_unique: 'UNIQUE INDEX (schedule_id, scheduled_for)',
  },
  graph_runs: {
    // renamed from schedule_runs, whose primary key kept its name
    schedule_runs_pkey: 'PRIMARY KEY (id)',
    graph_runs_schedule_idx: 'INDEX (schedule_id)',
    graph_runs_scheduled_for_idx: 'INDEX (scheduled_for)',
    graph_runs_run_id_idx: 'INDEX (run_id)',
    graph_runs_run_kind_idx: 'INDEX (run_kind)',
    graph_runs_state_key_idx: 'INDEX (state_key)',
    graph_runs_requested_by_started_at_idx: 'INDEX (requested_by, started_at)',
    graph_runs_schedule_slot_unique: 'UNIQUE INDEX (schedule_id, scheduled_for) WHERE schedule_id IS NOT NULL',
  },
};

// Each table's one policy (for every command, USING = WITH CHECK), as PostgreSQL prints it back.
const tenant = "current_setting('app.current_user_id'::text, true)";
const commonPolicies: Record<string, { name: string; expression: string }> = {
  users: { name: 'self_isolation', expression: `(id = ${tenant})` },
  billing_accounts: { name: 'tenant_isolation', expression: `(owner_user_id = ${tenant})` },
  virtual_keys: {
    name: 'tenant_isolation',
    expression: `(billing_account_id IN ( SELECT billing_accounts.id FROM billing_accounts WHERE (billing_accounts.owner_user_id = ${tenant})))`,
  },
  charge_receipts: {
    name: 'tenant_isolation',
    expression: `(billing_account_id IN ( SELECT billing_accounts.id FROM billing_accounts WHERE (billing_accounts.owner_user_id = ${tenant})))`,
  },
  llm_charge_details: {
    name: 'tenant_isolation',
    expression: `(EXISTS ( SELECT 1 FROM (charge_receipts cr JOIN billing_accounts ba ON ((ba.id = cr.billing_account_id))) WHERE ((cr.id = llm_charge_details.charge_receipt_id) AND (ba.owner_user_id = ${tenant}))))`,
  },
  execution_grants: { name: 'tenant_isolation', expression: `(user_id = ${tenant})` },
  schedules: { name: 'tenant_isolation', expression: `(owner_user_id = ${tenant})` },
  ai_threads: { name: 'tenant_isolation', expression: `(owner_user_id = ${tenant})` },
};
type Policy = { name: string; command: string; permissive: string; roles: string[]; using: string | null; withCheck: string | null };
const bySchedule = `(schedule_id IN ( SELECT schedules.id FROM schedules WHERE (schedules.owner_user_id = ${tenant})))`;
const ledgerPolicies: Record<Ledger, { name: string; expression: string }> = {
  schedule_runs: { name: 'tenant_isolation', expression: bySchedule },
  graph_runs: { name: 'tenant_isolation', expression: `((requested_by = ${tenant}) OR ${bySchedule})` },
};

/** What the worker reads, each row labelled with the tenant the fixture made it for. */
const probes = (ledger: Ledger): Record<string, string> => ({
  billing_accounts: 'SELECT owner_user_id AS tenant FROM billing_accounts',
  charge_receipts: "SELECT split_part(run_id, '/', 1) AS tenant FROM charge_receipts",
  llm_charge_details: "SELECT split_part(graph_id, '/', 1) AS tenant FROM llm_charge_details",
  schedules: 'SELECT owner_user_id AS tenant FROM schedules',
  ai_threads: 'SELECT owner_user_id AS tenant FROM ai_threads',
  [ledger]: `SELECT split_part(run_id, '/', 1) AS tenant FROM ${ledger}`,
});

async function seedTenant(admin: pg.Pool, ledger: Ledger, { userId, accountId }: typeof system): Promise<void> {
  await admin.query('INSERT INTO users (id, name) VALUES ($1, $1)', [userId]);
  await admin.query('INSERT INTO billing_accounts (id, owner_user_id, balance_credits) VALUES ($1, $2, 42)', [
    accountId,
    userId,
  ]);
  const key = await admin.query<{ id: string }>(
    'INSERT INTO virtual_keys (billing_account_id) VALUES ($1) RETURNING id',
    [accountId],
  );
  for (const n of [1, 2]) {
    const receipt = await admin.query<{ id: string }>(
      `INSERT INTO charge_receipts (billing_account_id, virtual_key_id, run_id, attempt, charged_credits,
         provenance, charge_reason, source_system, source_reference, receipt_kind)
       VALUES ($1, $2, $3, 0, 1000, 'fixture', 'llm_usage', 'litellm', $3, 'llm') RETURNING id`,
      [accountId, key.rows[0]?.id, `${userId}/charge-${n}`],
    );
    await admin.query("INSERT INTO llm_charge_details (charge_receipt_id, model, graph_id) VALUES ($1, 'fixture-model', $2)", [
      receipt.rows[0]?.id,
      `${userId}/agent`,
    ]);
  }
  const grant = await admin.query<{ id: string }>(
    "INSERT INTO execution_grants (user_id, billing_account_id, scopes) VALUES ($1, $2, '{graph:run}') RETURNING id",
    [userId, accountId],
  );
  const schedule = await admin.query<{ id: string }>(
    `INSERT INTO schedules (owner_user_id, execution_grant_id, graph_id, input, cron, timezone, temporal_schedule_id)
     VALUES ($1, $2, 'governance', '{}', '0 * * * *', 'UTC', 'governance:community') RETURNING id`,
    [userId, grant.rows[0]?.id],
  );
  await admin.query(
    `INSERT INTO ${ledger} (id, schedule_id, run_id, scheduled_for, status)
     VALUES (gen_random_uuid(), $1, $2, '2026-11-21T12:00:00Z', 'success')`,
    [schedule.rows[0]?.id, `${userId}/scheduled`],
  );
  if (ledger === 'graph_runs') {
    await admin.query(
      "INSERT INTO graph_runs (id, run_id, requested_by, status) VALUES (gen_random_uuid(), $1, $2, 'error')",
      [`${userId}/requested`, userId],
    );
  }
  await admin.query("INSERT INTO ai_threads (owner_user_id, state_key) VALUES ($1, 'thread-1')", [userId]);
}

describe.each<Ledger>(['schedule_runs', 'graph_runs'])('fixture database with %s', (ledger) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ ledger });
    await seedTenant(db.admin, ledger, system);
    await seedTenant(db.admin, ledger, other);
    if (ledger === 'graph_runs') {
      // no schedule and no requester: no tenant may see it
      await db.admin.query("INSERT INTO graph_runs (id, run_id) VALUES (gen_random_uuid(), 'nobody/adhoc')");
    }
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function withReader<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: db.readerUrl });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  }

  /** One transaction as the reader, the tenant set the way the worker sets it. */
  async function inTenantTransaction<T>(client: pg.Client, tenant: string, use: () => Promise<T>): Promise<T> {
    await client.query('BEGIN');
    try {
      await client.query("SELECT set_config('app.current_user_id', $1, true)", [tenant]);
      const result = await use();
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  }

  async function tenantsOf(client: pg.Client, sql: string): Promise<string[]> {
    const { rows } = await client.query<{ tenant: string }>(sql);
    return rows.map((row) => row.tenant).sort();
  }

  test('has the columns of cogni-schema.md and one run ledger', async () => {
    const { rows } = await db.admin.query<{ table: string; column: string }>(
      `SELECT c.relname AS table,
              concat_ws(' ', a.attname,
                replace(format_type(a.atttypid, a.atttypmod), 'timestamp with time zone', 'timestamptz'),
                CASE WHEN a.attnotnull THEN 'not null' END,
                'default ' || pg_get_expr(d.adbin, d.adrelid)) AS column
         FROM pg_class c
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
        ORDER BY c.relname, a.attnum`,
    );
    const actual: Record<string, string[]> = {};
    for (const row of rows) (actual[row.table] ??= []).push(row.column);
    expect(actual).toEqual({ ...commonColumns, [ledger]: ledgerColumns[ledger] });
  });

  test('has the foreign keys of cogni-schema.md, under their names, all ON DELETE CASCADE', async () => {
    const { rows } = await db.admin.query<{ fk: string }>(
      `SELECT format('%s: %s (%s) -> %s (%s)%s', conname, conrelid::regclass, a.attname, confrelid::regclass, r.attname,
                     CASE confdeltype WHEN 'c' THEN ' ON DELETE CASCADE' ELSE '' END) AS fk
         FROM pg_constraint
         JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = conkey[1]
         JOIN pg_attribute r ON r.attrelid = confrelid AND r.attnum = confkey[1]
        WHERE contype = 'f' AND connamespace = 'public'::regnamespace
        ORDER BY 1`,
    );
    expect(rows.map((row) => row.fk)).toEqual([...commonForeignKeys, ledgerForeignKey(ledger)].sort());
  });

  const expectedIndexes = (): Indexes => ({ ...commonIndexes, [ledger]: ledgerIndexes[ledger] });

  test('has, on each table, exactly the index names of cogni-schema.md', async () => {
    const { rows } = await db.admin.query<{ table: string; index: string }>(
      "SELECT tablename AS table, indexname AS index FROM pg_indexes WHERE schemaname = 'public'",
    );
    const actual: Record<string, string[]> = {};
    for (const row of rows) (actual[row.table] ??= []).push(row.index);
    for (const names of Object.values(actual)) names.sort();
    const expected = Object.fromEntries(Object.entries(expectedIndexes()).map(([table, indexes]) => [table, Object.keys(indexes).sort()]));
    expect(actual).toEqual(expected);
  });

  test('has exactly the indexes of cogni-schema.md, each under its name', async () => {
    const { rows } = await db.admin.query<{ index: string }>(
      `SELECT format('%s %s: %s (%s)%s', t.relname, x.relname,
                CASE WHEN i.indisprimary THEN 'PRIMARY KEY'
                     WHEN i.indisunique AND c.contype = 'u' THEN 'UNIQUE CONSTRAINT'
                     WHEN i.indisunique THEN 'UNIQUE INDEX' ELSE 'INDEX' END,
                (SELECT string_agg(a.attname, ', ' ORDER BY k.n)
                   FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum),
                ' WHERE ' || regexp_replace(pg_get_expr(i.indpred, i.indrelid), '^\\((.*)\\)$', '\\1')) AS index
         FROM pg_index i
         JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_class x ON x.oid = i.indexrelid
         JOIN pg_am am ON am.oid = x.relam
         LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u')
        WHERE t.relnamespace = 'public'::regnamespace AND am.amname = 'btree'`,
    );
    const expected = Object.entries(expectedIndexes()).flatMap(([table, indexes]) =>
      Object.entries(indexes).map(([name, definition]) => `${table} ${name}: ${definition}`),
    );
    expect(rows.map((row) => row.index).sort()).toEqual(expected.sort());
  });

  test('forces row-level security on every table, with its one named policy for writes and reads alike', async () => {
    const { rows } = await db.admin.query<{ table: string; enabled: boolean; forced: boolean; policies: Policy[] }>(
      `SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
              coalesce((SELECT json_agg(json_build_object('name', p.policyname, 'command', p.cmd, 'permissive', p.permissive,
                                                          'roles', p.roles, 'using', p.qual, 'withCheck', p.with_check))
                          FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname), '[]') AS policies
         FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'`,
    );
    const squeezed = (text: string | null) => text?.replace(/\s+/g, ' ') ?? null;
    const actual = Object.fromEntries(
      rows.map(({ table, policies, ...flags }) => [
        table,
        { ...flags, policies: policies.map((p) => ({ ...p, using: squeezed(p.using), withCheck: squeezed(p.withCheck) })) },
      ]),
    );
    const expected = Object.fromEntries(
      Object.entries({ ...commonPolicies, [ledger]: ledgerPolicies[ledger] }).map(([table, { name, expression }]) => [
        table,
        {
          enabled: true,
          forced: true,
          policies: [{ name, command: 'ALL', permissive: 'PERMISSIVE', roles: ['public'], using: expression, withCheck: expression }],
        },
      ]),
    );
    expect(actual).toEqual(expected);
  });

  test('gives the reader role no way around RLS and SELECT on exactly what the worker reads', async () => {
    const role = await db.admin.query(
      'SELECT rolsuper, rolbypassrls, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = $1',
      [inject('readerRole')],
    );
    expect(role.rows).toEqual([
      { rolsuper: false, rolbypassrls: false, rolcreatedb: false, rolcreaterole: false, rolcanlogin: true },
    ]);

    const { rows } = await db.admin.query(
      `SELECT c.relname AS table,
              array(SELECT p FROM unnest(array['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) p
                     -- SELECT on ai_threads is granted per column (all but messages)
                     WHERE CASE p WHEN 'SELECT' THEN has_any_column_privilege($1, c.oid, p)
                                  ELSE has_table_privilege($1, c.oid, p) END) AS privileges
         FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
        ORDER BY 1`,
      [inject('readerRole')],
    );
    const readable = new Set(Object.keys(probes(ledger)));
    const tables = [...Object.keys(commonColumns), ledger].sort();
    expect(rows).toEqual(tables.map((table) => ({ table, privileges: readable.has(table) ? ['SELECT'] : [] })));
  });

  test('the superuser fixture pool sees every tenant (so the reader tests below filter real rows)', async () => {
    for (const [table, sql] of Object.entries(probes(ledger))) {
      const tenants = new Set((await db.admin.query<{ tenant: string }>(sql)).rows.map((row) => row.tenant));
      expect([table, tenants.has(system.userId) && tenants.has(other.userId)]).toEqual([table, true]);
    }
  });

  test('as the reader, with app.current_user_id unset, every SELECT returns zero rows', async () => {
    await withReader(async (client) => {
      for (const [table, sql] of Object.entries(probes(ledger))) {
        expect([table, await tenantsOf(client, sql)]).toEqual([table, []]);
      }
      // set_config(..., true) outside a transaction lasts for its own statement only
      await client.query("SELECT set_config('app.current_user_id', $1, true)", [system.userId]);
      expect(await tenantsOf(client, 'SELECT owner_user_id AS tenant FROM schedules')).toEqual([]);
      // and after a tenant's transaction, the same (pooled) connection is back to nothing
      await inTenantTransaction(client, system.userId, async () => {});
      for (const [table, sql] of Object.entries(probes(ledger))) {
        expect([table, await tenantsOf(client, sql)]).toEqual([table, []]);
      }
    });
  });

  test.each([
    ['system tenant', system],
    ['other tenant', other],
  ])('as the reader, with app.current_user_id set to the %s, only its rows come back', async (_name, tenant) => {
    await withReader(async (client) => {
      for (const [table, sql] of Object.entries(probes(ledger))) {
        const all = (await db.admin.query<{ tenant: string }>(sql)).rows.map((row) => row.tenant);
        const expected = all.filter((owner) => owner === tenant.userId).sort();
        expect(expected.length).toBeGreaterThan(0);
        const seen = await inTenantTransaction(client, tenant.userId, () => tenantsOf(client, sql));
        expect([table, seen]).toEqual([table, expected]);
      }
    });
  });

  if (ledger === 'graph_runs') {
    test('graph_runs shows a run to its requester even without a schedule', async () => {
      const seen = await withReader((client) =>
        inTenantTransaction(client, other.userId, () =>
          tenantsOf(client, 'SELECT run_id AS tenant FROM graph_runs WHERE schedule_id IS NULL'),
        ),
      );
      expect(seen).toEqual([`${other.userId}/requested`]);
    });
  }

  test('the reader cannot read ai_threads.messages, but can read every column the snapshot needs', async () => {
    await withReader(async (client) => {
      await expect(
        inTenantTransaction(client, system.userId, () => client.query('SELECT messages FROM ai_threads')),
      ).rejects.toMatchObject({ code: '42501' });
      const { rows } = await inTenantTransaction(client, system.userId, () =>
        client.query('SELECT state_key, metadata, created_at, updated_at, deleted_at FROM ai_threads'),
      );
      expect(rows.length).toBeGreaterThan(0);
    });
  });

  test.each([
    ['INSERT', "INSERT INTO ai_threads (owner_user_id, state_key) VALUES (current_setting('app.current_user_id'), 'x')"],
    ['UPDATE', 'UPDATE billing_accounts SET balance_credits = balance_credits + 1'],
    ['DELETE', `DELETE FROM ${ledger}`],
    ['INSERT', "INSERT INTO users (id) VALUES (current_setting('app.current_user_id'))"],
  ])('the reader cannot %s, even within its own tenant: %s', async (_verb, sql) => {
    await withReader(async (client) => {
      await expect(inTenantTransaction(client, system.userId, () => client.query(sql))).rejects.toMatchObject({
        code: '42501', // insufficient_privilege
      });
    });
  });
});

describe('tcp proxy', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ ledger: 'graph_runs' });
  });
  afterAll(async () => {
    await db?.drop();
  });

  test('cuts connections while down and forwards again when up, without restarting the target', async () => {
    const target = new URL(db.adminUrl);
    const proxy = await startTcpProxy({ targetHost: target.hostname, targetPort: Number(target.port) });
    const viaProxy = new URL(db.adminUrl);
    viaProxy.host = `${proxy.host}:${proxy.port}`;
    const connectThroughProxy = async () => {
      const client = new pg.Client({ connectionString: viaProxy.toString(), connectionTimeoutMillis: 5_000 });
      client.on('error', () => {}); // the cut surfaces as the pending query's rejection
      await client.connect();
      return client;
    };
    try {
      const before = await connectThroughProxy();
      expect((await before.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);

      proxy.setDown(true);
      await expect(before.query('SELECT 1')).rejects.toThrow();
      await before.end().catch(() => {});
      await expect(connectThroughProxy()).rejects.toThrow();

      proxy.setDown(false);
      const after = await connectThroughProxy();
      expect((await after.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await after.end();
    } finally {
      await proxy.close();
    }
  });
});
