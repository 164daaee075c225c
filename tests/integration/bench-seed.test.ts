// The benchmark's databases are what BENCHMARKS.md says they are: two small sizes seeded by the
// bench's own code, then counted. The buffers a snapshot touches depend on this shape (how much of a
// day's rows is the system's, whether its rows share heap pages), so the description is checked,
// not trusted.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scaleOf, seedDatabase, system, systemRowsPerDay, useLedger } from '../../bench/seed.ts';

const dayMs = 86_400_000;
const now = new Date('2026-11-21T11:30:00.000Z');

describe('bench sizes', () => {
  it.each([
    ['10k', 10_000, 2],
    ['1M', 1_000_000, 21],
    ['10M', 10_000_000, 21],
  ])('%s keeps the system a small share of every big table', (label, rows, days) => {
    const scale = scaleOf(label, rows);
    expect(scale.historyDays).toBe(days);
    expect(scale.systemRows).toBe(days * systemRowsPerDay);
    expect(scale.systemRows / scale.rowsPerTable).toBeLessThanOrEqual(system.maxShare);
  });
});

const sizes = [scaleOf('10k', 10_000), scaleOf('100k', 100_000)];

describe('bench databases', () => {
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

  const systemSchedules = `SELECT id FROM schedules WHERE owner_user_id = '${system.principalId}'`;
  // Each table's system rows, and those inside the window a snapshot reads (worker/postgres/queries.ts).
  const tables = {
    charge_receipts: {
      system: `billing_account_id = '${system.billingAccountId}'`,
      window: 'created_at >= $1 AND created_at < $2',
    },
    ai_threads: { system: `owner_user_id = '${system.principalId}'`, window: 'updated_at > $1 AND updated_at <= $2' },
    graph_runs: { system: `schedule_id IN (${systemSchedules})`, window: 'scheduled_for >= $1 AND scheduled_for <= $2' },
    schedule_runs: { system: `schedule_id IN (${systemSchedules})`, window: 'scheduled_for >= $1 AND scheduled_for <= $2' },
  };

  it.each(Object.keys(tables) as Array<keyof typeof tables>)(
    "%s holds each size's rows, the system's a small share of them and the same ones inside the snapshot's window",
    async (table) => {
      const { system: isSystem, window } = tables[table];
      const counts = [];
      for (const { scale, clients } of databases) {
        const admin = clients[0]!;
        await useLedger(admin, table === 'schedule_runs' ? 'schedule_runs' : 'graph_runs');
        const { rows } = await admin.query(
          `SELECT count(*)::int AS total, count(*) FILTER (WHERE ${isSystem})::int AS system,
                  count(*) FILTER (WHERE ${isSystem} AND ${window})::int AS in_window
             FROM ${table}`,
          [new Date(now.getTime() - dayMs), now],
        );
        expect({ total: rows[0].total, system: rows[0].system }).toEqual({ total: scale.rowsPerTable, system: scale.systemRows });
        counts.push(rows[0].in_window);
      }
      if (table === 'charge_receipts' || table === 'ai_threads') expect(counts[0]).toBe(systemRowsPerDay);
      expect(counts[0]).toBeGreaterThan(systemRowsPerDay - system.charters.length);
      expect(new Set(counts).size).toBe(1);
    },
  );

  it("puts the smallest size's system receipts of a day on a heap page each, as an appending application does", async () => {
    const { rows } = await databases[0]!.clients[0]!.query(
      `SELECT count(*)::int AS receipts, count(DISTINCT (ctid::text::point)[0])::int AS pages
         FROM charge_receipts WHERE billing_account_id = $1 AND created_at >= $2 AND created_at < $3`,
      [system.billingAccountId, new Date(now.getTime() - dayMs), now],
    );
    expect(rows[0]).toEqual({ receipts: systemRowsPerDay, pages: systemRowsPerDay });
  });
});
