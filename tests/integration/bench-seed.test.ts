// The benchmark's databases are what BENCHMARKS.md says they are: two sizes (the smallest, and one
// with the full 21 days of history) seeded by the bench's own code, then read back. The buffers a
// snapshot touches depend on this shape (how much of a day's rows is the system's, whether its rows
// share heap pages), so the description is checked, not trusted.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { schemaFingerprint } from '../../scripts/cogni/load.ts';
import { scaleOf, seedDatabase, system, systemRowsPerDay, useLedger, windowPages } from '../../bench/seed.ts';
import { createTestDatabase } from '../support/test-database.ts';

const dayMs = 86_400_000;
// The bench's `now` is always half past an hour.
const now = new Date('2026-11-21T11:30:00.000Z');
const dayBefore = new Date(now.getTime() - dayMs);

describe('bench sizes', () => {
  it.each([
    ['10k', 10_000, 2],
    ['120k', 120_000, 21],
    ['1M', 1_000_000, 21],
    ['10M', 10_000_000, 21],
  ])('%s holds %i rows per table over %i days, the system at most 2 % of them', (label, rows, days) => {
    const scale = scaleOf(label, rows);
    expect(scale.historyDays).toBe(days);
    expect(scale.systemRows).toBe(days * systemRowsPerDay);
    expect(scale.systemRows / rows).toBeLessThanOrEqual(0.02);
  });

  it('refuses a size too small for two days of the system to be a small share', () => {
    expect(() => scaleOf('5k', 5_000)).toThrow('5k: 5000 rows per table cannot hold two days');
  });
});

describe('bench databases', () => {
  const sizes = [scaleOf('10k', 10_000), scaleOf('120k', 120_000)];
  const maintenanceUrl = inject('adminDatabaseUrl');
  const suffix = randomBytes(6).toString('hex');
  const naiveRole = `bench_seed_naive_${suffix}`;
  const databases = sizes.map((scale) => ({ scale, name: `bench_seed_${scale.label}_${suffix}`, clients: [] as pg.Client[] }));

  const maintenance = async (sql: string) => {
    const client = new pg.Client({ connectionString: maintenanceUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const connect = async (name: string) => {
    const url = new URL(maintenanceUrl);
    url.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    await maintenance(`CREATE ROLE ${naiveRole} LOGIN`);
    for (const database of databases) {
      await maintenance(`CREATE DATABASE ${database.name}`);
      database.clients = [await connect(database.name), await connect(database.name)];
      const [admin, second] = database.clients as [pg.Client, pg.Client];
      await seedDatabase(admin, second, { scale: database.scale, now, readerRole: inject('readerRole'), naiveRole });
    }
  });

  afterAll(async () => {
    for (const database of databases) {
      await Promise.all(database.clients.map((client) => client.end()));
      await maintenance(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`);
    }
    await maintenance(`DROP ROLE IF EXISTS ${naiveRole}`);
  });

  const runs = (ledger: string) => ({
    ledger,
    // The charters' quarter-hour slots from 11:30 the day before to 10:45: the history's runs end with
    // the last full hour before now, so today's 11:00 and 11:15 slots are not in it.
    inWindow: systemRowsPerDay - 2,
    system: `r.schedule_id IN (SELECT id FROM schedules WHERE owner_user_id = '${system.principalId}')`,
    window: `SELECT s.temporal_schedule_id, r.scheduled_for, r.status, r.error_message, r.run_id, r.ctid
               FROM ${ledger} r JOIN schedules s ON s.id = r.schedule_id
              WHERE s.owner_user_id = '${system.principalId}' AND r.scheduled_for >= $1 AND r.scheduled_for <= $2
              ORDER BY r.scheduled_for`,
  });
  // Each table's system rows, and those inside the window a snapshot reads (worker/postgres/queries.ts);
  // `at` is an instant that lies on the seed's shared time axis, which depends on the size by seconds.
  const tables = [
    {
      ledger: 'graph_runs',
      table: 'charge_receipts',
      inWindow: systemRowsPerDay,
      system: `r.billing_account_id = '${system.billingAccountId}'`,
      window: `SELECT created_at AS at, charged_credits, source_reference, run_id, ctid FROM charge_receipts
                WHERE billing_account_id = '${system.billingAccountId}' AND created_at >= $1 AND created_at < $2
                ORDER BY created_at`,
    },
    {
      ledger: 'graph_runs',
      table: 'ai_threads',
      inWindow: systemRowsPerDay,
      system: `r.owner_user_id = '${system.principalId}'`,
      window: `SELECT updated_at AS at, state_key, metadata, deleted_at IS NOT NULL AS deleted, ctid FROM ai_threads
                WHERE owner_user_id = '${system.principalId}' AND updated_at > $1 AND updated_at <= $2
                ORDER BY updated_at`,
    },
    { table: 'graph_runs', ...runs('graph_runs') },
    { table: 'schedule_runs', ...runs('schedule_runs') },
  ] as const;

  it.each(tables)(
    "$table: each size's rows, the system's a small share of them, and its rows in the snapshot's window the same at both",
    async ({ table, ledger, inWindow, system: isSystem, window }) => {
      const windows = [];
      for (const { scale, clients } of databases) {
        const admin = clients[0]!;
        await useLedger(admin, ledger as 'graph_runs' | 'schedule_runs');
        const { rows: counts } = await admin.query(
          `SELECT count(*)::int AS total, count(*) FILTER (WHERE ${isSystem})::int AS system FROM ${table} r`,
        );
        expect(counts[0]).toEqual({ total: scale.rowsPerTable, system: scale.systemRows });
        const { rows } = await admin.query(window, [dayBefore, now]);
        expect(rows).toHaveLength(inWindow);
        windows.push(rows);
      }
      const [small, large] = windows as [Array<Record<string, unknown>>, Array<Record<string, unknown>>];
      const content = ({ at, ctid, ...rest }: Record<string, unknown>) => rest;
      expect(small.map(content)).toEqual(large.map(content));
      const apart = small.map((row, index) => (row.at instanceof Date ? Math.abs(row.at.getTime() - (large[index]!.at as Date).getTime()) : 0));
      expect(Math.max(...apart)).toBeLessThan(60_000);
    },
  );

  it.each(databases.map((database) => [database.scale.label, database] as const))(
    "%s: windowPages counts the system's rows in each window and the heap pages holding them",
    async (_label, { clients }) => {
      const admin = clients[0]!;
      for (const ledger of ['graph_runs', 'schedule_runs'] as const) {
        await useLedger(admin, ledger);
        const expected: Record<string, { rows: number; pages: number }> = {};
        for (const { table, window } of tables.filter((entry) => entry.ledger === ledger)) {
          const { rows } = await admin.query<{ ctid: string }>(window, [dayBefore, now]);
          const kind = table === 'charge_receipts' ? 'receipts' : table === 'ai_threads' ? 'threads' : 'runs';
          expected[kind] = { rows: rows.length, pages: new Set(rows.map((row) => row.ctid.slice(1).split(',')[0])).size };
        }
        const counted = await windowPages(admin, now);
        expect(counted.runs).toEqual(expected.runs);
        if (ledger === 'graph_runs') expect(counted).toEqual(expected);
        // The system's receipts of a day never share a page: spend reads one buffer per receipt.
        expect(counted.receipts.pages).toBe(systemRowsPerDay);
      }
    },
  );

  // What bench/run.ts checks before it measures: seeded and loaded with either ledger in use, a
  // database has exactly the schema that scripts/cogni/ builds (names of indexes and constraints too).
  it.each(['graph_runs', 'schedule_runs'] as const)(
    'with %s in use, each size has the schema scripts/cogni/ builds',
    async (ledger) => {
      const reference = await createTestDatabase({ ledger });
      try {
        const client = new pg.Client({ connectionString: reference.adminUrl });
        await client.connect();
        const expected = await schemaFingerprint(client, inject('readerRole')).finally(() => client.end());
        for (const { clients } of databases) {
          const admin = clients[0]!;
          await useLedger(admin, ledger);
          expect(await schemaFingerprint(admin, inject('readerRole'))).toBe(expected);
        }
      } finally {
        await reference.drop();
      }
    },
  );
});
