// The benchmark's databases are what BENCHMARKS.md says they are: two sizes seeded by the bench's own
// code (with a few days of the per-minute charters instead of a year, to stay quick), then read
// back. The buffers a tick touches depend on this shape (how much of a day's rows is the system's,
// whether its rows share heap pages), so the description is checked, not trusted.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { schemaFingerprint } from '../../scripts/cogni/load.ts';
import { lastSlotOf, receiptsPerRun, seededModels, systemRowsPerDay } from '../../scripts/cogni/scale-seed.ts';
import { scaleOf, seedDatabase, system, useLedger, windowPages, type Scale } from '../../bench/seed.ts';
import { createTestDatabase } from '../support/test-database.ts';

const dayMs = 86_400_000;
const now = new Date('2026-11-21T11:30:30.000Z');
const dayBefore = new Date(now.getTime() - dayMs);
const shortSystem = { heartbeat: { days: 4, charged: true }, treasury: { succeededDays: 1, failingDays: 2 } };

describe('bench sizes', () => {
  it.each([
    ['10k', 10_000, 2],
    ['1M', 1_000_000, 6],
    ['10M', 10_000_000, 21],
  ])("%s (%i rows): other tenants' history of %i days", (label, rows, days) => {
    expect(scaleOf(label, rows).historyDays).toBe(days);
  });

  it("keeps the system's runs of a day at most 2 % of the day's rows where the size allows, and says where it does not", () => {
    for (const rows of [1_000_000, 10_000_000]) expect(scaleOf('size', rows).systemShareOfDay).toBeLessThanOrEqual(system.maxShareOfDay);
    expect(scaleOf('10k', 10_000).systemShareOfDay).toBeGreaterThan(0.3); // two days, mostly the system's
  });
});

describe('bench databases', () => {
  const sizes = [scaleOf('10k', 10_000, shortSystem), scaleOf('300k', 300_000, shortSystem)];
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
  }, 240_000);

  afterAll(async () => {
    for (const database of databases) {
      await Promise.all(database.clients.map((client) => client.end()));
      await maintenance(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`);
    }
    await maintenance(`DROP ROLE IF EXISTS ${naiveRole}`);
  });

  /** The system's rows a size must hold: the hourly charters over its history, the per-minute ones over theirs. */
  const systemRows = (scale: Scale) => {
    const perDay = systemRowsPerDay({ heartbeat: null, treasury: null });
    const hourly = perDay.runs * scale.historyDays;
    const heartbeat = 1440 * shortSystem.heartbeat.days;
    return { runs: hourly + heartbeat + 1440 * 3, receipts: (hourly + heartbeat) * receiptsPerRun, threads: hourly + heartbeat };
  };
  const systemRuns = (ledger: string) => `${ledger} r WHERE r.schedule_id IN (SELECT id FROM schedules WHERE owner_user_id = '${system.principalId}')`;
  const tables = [
    { ledger: 'graph_runs', table: 'charge_receipts', kind: 'receipts', system: `charge_receipts r WHERE r.billing_account_id = '${system.billingAccountId}'` },
    { ledger: 'graph_runs', table: 'ai_threads', kind: 'threads', system: `ai_threads r WHERE r.owner_user_id = '${system.principalId}'` },
    { ledger: 'graph_runs', table: 'graph_runs', kind: 'runs', system: systemRuns('graph_runs') },
    { ledger: 'schedule_runs', table: 'schedule_runs', kind: 'runs', system: systemRuns('schedule_runs') },
  ] as const;
  const windows = {
    receipts: `SELECT created_at AS at, charged_credits, source_reference, run_id, ctid FROM charge_receipts
                WHERE billing_account_id = '${system.billingAccountId}' AND created_at >= $1 AND created_at < $2 ORDER BY created_at`,
    threads: `SELECT updated_at AS at, state_key, metadata, deleted_at IS NOT NULL AS deleted, ctid FROM ai_threads
               WHERE owner_user_id = '${system.principalId}' AND updated_at > $1 AND updated_at <= $2 ORDER BY updated_at, state_key`,
    runs: (ledger: string) => `SELECT s.temporal_schedule_id, r.scheduled_for AS at, r.status, r.error_message, r.run_id, r.ctid
               FROM ${ledger} r JOIN schedules s ON s.id = r.schedule_id
              WHERE s.owner_user_id = '${system.principalId}' AND r.scheduled_for >= $1 AND r.scheduled_for <= $2
              ORDER BY r.scheduled_for, s.temporal_schedule_id`,
  };
  const windowSql = (entry: (typeof tables)[number]) => (entry.kind === 'runs' ? windows.runs(entry.table) : windows[entry.kind]);

  it.each(tables)("$table: other tenants' rows, the system's, and the system's rows of the window the same at both sizes", async (entry) => {
    const seen = [];
    for (const { scale, clients } of databases) {
      const admin = clients[0]!;
      await useLedger(admin, entry.ledger);
      const { rows } = await admin.query(`SELECT (SELECT count(*)::int FROM ${entry.table}) AS total, (SELECT count(*)::int FROM ${entry.system}) AS system`);
      expect(rows[0]).toEqual({ total: scale.rowsPerTable + systemRows(scale)[entry.kind], system: systemRows(scale)[entry.kind] });
      const window = await admin.query(windowSql(entry), [dayBefore, now]);
      seen.push(window.rows.map(({ ctid, ...rest }) => rest));
    }
    expect(seen[0]!.length).toBeGreaterThan(1_400);
    expect(seen[0]).toEqual(seen[1]);
  });

  it("llm_charge_details: one row per LLM receipt, the system's calls spread over every seeded model, a few receipts of other kinds without", async () => {
    for (const { clients } of databases) {
      const admin = clients[0]!;
      const { rows } = await admin.query(
        `SELECT cr.receipt_kind AS kind, d.model, count(*)::int AS receipts, count(cr.response_cost_usd)::int AS with_usd
           FROM charge_receipts cr LEFT JOIN llm_charge_details d ON d.charge_receipt_id = cr.id
          WHERE cr.billing_account_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
        [system.billingAccountId],
      );
      const calls = (await admin.query(`SELECT count(*)::int AS n FROM charge_receipts WHERE billing_account_id = $1 AND receipt_kind = 'llm'`, [system.billingAccountId])).rows[0].n;
      const perModel = calls / seededModels.length;
      expect(rows).toEqual([
        { kind: 'adjustment', model: null, receipts: expect.any(Number), with_usd: 0 },
        ...[...seededModels].sort((a, b) => a.model.localeCompare(b.model)).map(({ model, reportsUsd }) => ({ kind: 'llm', model, receipts: expect.any(Number), with_usd: reportsUsd ? expect.any(Number) : 0 })),
        { kind: 'promo', model: null, receipts: expect.any(Number), with_usd: 0 },
      ]);
      for (const row of rows.filter((row) => row.kind === 'llm')) expect(Math.abs(row.receipts - perModel)).toBeLessThan(perModel / 10);
      const orphans = await admin.query(`SELECT count(*)::int AS n FROM charge_receipts cr WHERE receipt_kind = 'llm' AND NOT EXISTS (SELECT 1 FROM llm_charge_details d WHERE d.charge_receipt_id = cr.id)`);
      expect(orphans.rows[0].n).toBe(0);
    }
  });

  it.each(databases.map((database) => [database.scale.label, database] as const))(
    "%s: windowPages counts the system's rows of the window and their heap pages (per charter for runs); the rows a tick reads have pages of their own once the system is a small share",
    async (_label, { scale, clients }) => {
      const admin = clients[0]!;
      for (const ledger of ['graph_runs', 'schedule_runs'] as const) {
        await useLedger(admin, ledger);
        const counted = await windowPages(admin, now);
        for (const entry of tables.filter((candidate) => candidate.ledger === ledger)) {
          const { rows } = await admin.query<{ ctid: string; at: Date; temporal_schedule_id?: string }>(windowSql(entry), [dayBefore, now]);
          const pages = new Set(rows.map((row) => `${row.temporal_schedule_id ?? ''} ${row.ctid.slice(1).split(',')[0]}`)).size;
          expect(counted[entry.kind]).toEqual({ rows: rows.length, pages });
          if (entry.kind === 'threads') continue; // a tick reads ten of them
          // The charters fire on the minute, so their rows of one minute are written side by side;
          // a per-charter read meets one row per page, the spend's one read one page per minute, or
          // two where the minute's receipts (several per run) straddle a page boundary.
          const pagesByMinute = new Map<number, Set<number>>();
          for (const row of rows) {
            const minute = Math.floor(row.at.getTime() / 60_000);
            pagesByMinute.set(minute, (pagesByMinute.get(minute) ?? new Set()).add(Number(row.ctid.slice(1).split(',')[0])));
          }
          if (scale.systemShareOfDay > system.maxShareOfDay) expect(pages).toBeLessThan(rows.length / 2);
          else if (entry.kind === 'runs') expect(pages).toBe(rows.length);
          else {
            const straddling = [...pagesByMinute.values()].filter((minutePages) => minutePages.size > 1);
            expect(straddling.filter((minutePages) => minutePages.size > 2 || Math.max(...minutePages) - Math.min(...minutePages) !== 1)).toEqual([]);
            expect(pages).toBe(pagesByMinute.size + straddling.length); // no page holds two minutes' rows
            expect(straddling.length).toBeLessThan(pagesByMinute.size / 4);
          }
        }
      }
    },
  );

  it("lays the ledger out in time order, the heartbeat its most common schedule_id, its last slot finished by now", async () => {
    const admin = databases[1]!.clients[0]!;
    for (const ledger of ['graph_runs', 'schedule_runs'] as const) {
      await useLedger(admin, ledger);
      const { rows } = await admin.query(`SELECT correlation FROM pg_stats WHERE tablename = $1 AND attname = 'scheduled_for'`, [ledger]);
      expect(rows[0].correlation).toBeGreaterThan(0.99);
      const common = await admin.query(
        `SELECT s.temporal_schedule_id, max(r.scheduled_for) AS last, max(r.completed_at) AS finished
           FROM ${ledger} r JOIN schedules s ON s.id = r.schedule_id GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
      );
      expect(common.rows[0].temporal_schedule_id).toBe('governance:heartbeat');
      expect(common.rows[0].last).toEqual(lastSlotOf(now));
      expect(common.rows[0].finished.getTime()).toBeLessThanOrEqual(now.getTime());
    }
  });

  // What bench/run.ts checks before it measures: seeded and loaded with either ledger in use, a
  // database has exactly the schema that scripts/cogni/ builds (names of indexes and constraints too).
  it.each(['graph_runs', 'schedule_runs'] as const)('with %s in use, each size has the schema scripts/cogni/ builds', async (ledger) => {
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
  });
});
