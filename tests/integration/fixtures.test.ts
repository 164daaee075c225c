// Proves the fixture database is what the worker relies on (cogni-schema.md), for both ledger
// generations: columns, keys and indexes as listed, RLS forced everywhere, and a reader role that
// sees one tenant's rows only when app.current_user_id is set in its transaction.
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
const runColumns = (scheduleNull: string) => [
  'id uuid not null',
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
  schedule_runs: runColumns(' not null'),
  graph_runs: [
    ...runColumns(''),
    ...['graph_id', 'run_kind', 'trigger_source', 'trigger_ref', 'requested_by', 'error_code', 'state_key'].map(
      (column) => `${column} text`,
    ),
  ],
};

const commonForeignKeys = [
  'billing_accounts (owner_user_id) -> users (id)',
  'charge_receipts (billing_account_id) -> billing_accounts (id)',
  'charge_receipts (virtual_key_id) -> virtual_keys (id)',
  'execution_grants (billing_account_id) -> billing_accounts (id)',
  'execution_grants (user_id) -> users (id)',
  'schedules (execution_grant_id) -> execution_grants (id)',
  'schedules (owner_user_id) -> users (id)',
  'virtual_keys (billing_account_id) -> billing_accounts (id)',
];

// The index list of cogni-schema.md, plus primary keys and the UNIQUE columns.
const commonIndexes = [
  'users PRIMARY KEY (id)',
  'users UNIQUE (wallet_address)',
  'billing_accounts PRIMARY KEY (id)',
  'billing_accounts UNIQUE (owner_user_id)',
  'billing_accounts UNIQUE (slug)',
  'virtual_keys PRIMARY KEY (id)',
  'charge_receipts PRIMARY KEY (id)',
  'charge_receipts INDEX (billing_account_id)',
  'charge_receipts INDEX (billing_account_id, created_at)',
  'charge_receipts INDEX (billing_account_id, created_at, id)',
  'charge_receipts INDEX (run_id, attempt)',
  'charge_receipts UNIQUE (source_system, source_reference)',
  'execution_grants PRIMARY KEY (id)',
  'schedules PRIMARY KEY (id)',
  'schedules INDEX (owner_user_id)',
  'schedules INDEX (next_run_at)',
  'schedules INDEX (execution_grant_id)',
  'schedules UNIQUE (owner_user_id, temporal_schedule_id) WHERE temporal_schedule_id IS NOT NULL',
  'ai_threads PRIMARY KEY (id)',
  'ai_threads UNIQUE (owner_user_id, state_key)',
  'ai_threads INDEX (owner_user_id, updated_at)',
];
const ledgerIndexes: Record<Ledger, string[]> = {
  schedule_runs: [
    'schedule_runs PRIMARY KEY (id)',
    'schedule_runs INDEX (schedule_id)',
    'schedule_runs INDEX (scheduled_for)',
    'schedule_runs INDEX (run_id)',
    'schedule_runs UNIQUE (schedule_id, scheduled_for)',
  ],
  graph_runs: [
    'graph_runs PRIMARY KEY (id)',
    'graph_runs INDEX (schedule_id)',
    'graph_runs INDEX (scheduled_for)',
    'graph_runs INDEX (run_id)',
    'graph_runs INDEX (run_kind)',
    'graph_runs INDEX (state_key)',
    'graph_runs INDEX (requested_by, started_at)',
    'graph_runs UNIQUE (schedule_id, scheduled_for) WHERE schedule_id IS NOT NULL',
  ],
};

/** What the worker reads, each row labelled with the tenant the fixture made it for. */
const probes = (ledger: Ledger): Record<string, string> => ({
  billing_accounts: 'SELECT owner_user_id AS tenant FROM billing_accounts',
  charge_receipts: "SELECT split_part(run_id, '/', 1) AS tenant FROM charge_receipts",
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
    await admin.query(
      `INSERT INTO charge_receipts (billing_account_id, virtual_key_id, run_id, attempt, charged_credits,
         provenance, charge_reason, source_system, source_reference, receipt_kind)
       VALUES ($1, $2, $3, 0, 1000, 'fixture', 'llm_usage', 'litellm', $3, 'usage')`,
      [accountId, key.rows[0]?.id, `${userId}/charge-${n}`],
    );
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

  test('has the foreign keys of cogni-schema.md', async () => {
    const { rows } = await db.admin.query<{ fk: string }>(
      `SELECT format('%s (%s) -> %s (%s)', conrelid::regclass, a.attname, confrelid::regclass, r.attname) AS fk
         FROM pg_constraint
         JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = conkey[1]
         JOIN pg_attribute r ON r.attrelid = confrelid AND r.attnum = confkey[1]
        WHERE contype = 'f' AND connamespace = 'public'::regnamespace
        ORDER BY 1`,
    );
    expect(rows.map((row) => row.fk)).toEqual([...commonForeignKeys, `${ledger} (schedule_id) -> schedules (id)`].sort());
  });

  test('has exactly the indexes of cogni-schema.md', async () => {
    const { rows } = await db.admin.query<{ index: string }>(
      `SELECT format('%s %s (%s)%s', t.relname,
                CASE WHEN i.indisprimary THEN 'PRIMARY KEY' WHEN i.indisunique THEN 'UNIQUE' ELSE 'INDEX' END,
                (SELECT string_agg(a.attname, ', ' ORDER BY k.n)
                   FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum),
                ' WHERE ' || regexp_replace(pg_get_expr(i.indpred, i.indrelid), '^\\((.*)\\)$', '\\1')) AS index
         FROM pg_index i
         JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_class x ON x.oid = i.indexrelid
         JOIN pg_am am ON am.oid = x.relam
        WHERE t.relnamespace = 'public'::regnamespace AND am.amname = 'btree'`,
    );
    expect(rows.map((row) => row.index).sort()).toEqual([...commonIndexes, ...ledgerIndexes[ledger]].sort());
  });

  test('forces row-level security on every table, with one policy for writes and reads alike', async () => {
    const { rows } = await db.admin.query(
      `SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
              (SELECT count(*)::int FROM pg_policies p
                WHERE p.schemaname = 'public' AND p.tablename = c.relname AND p.cmd = 'ALL'
                  AND p.qual = p.with_check AND p.qual LIKE '%current_setting(''app.current_user_id''::text, true)%') AS policies
         FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
        ORDER BY 1`,
    );
    const tables = [...Object.keys(commonColumns), ledger].sort();
    expect(rows).toEqual(
      // cogni-schema.md gives virtual_keys no policy: nobody but a superuser sees its rows
      tables.map((table) => ({ table, enabled: true, forced: true, policies: table === 'virtual_keys' ? 0 : 1 })),
    );
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
