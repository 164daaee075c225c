// The bench's databases: the Cogni schema with both run ledgers, seeded by scripts/cogni/scale-seed.ts
// with the shapes real deployments have (a year of a per-minute charter, a 30-day failure streak, the
// hourly charters) among other tenants' rows, which is what makes one size differ from another.
import type pg from 'pg';
import { applyCogniSchema, grantReader } from '../scripts/cogni/apply-schema.ts';
import { ledgerInUse, seedShapes, systemRowsPerDay, systemTenant, useLedger, type Shapes } from '../scripts/cogni/scale-seed.ts';

export { useLedger };

export const system = {
  ...systemTenant,
  /** the longest history other tenants (and the hourly charters) have, in days */
  maxHistoryDays: 21,
  /** the most of a day's rows the system's may be, so that its rows of the window lie on pages of their own */
  maxShareOfDay: 0.02,
};

/** The system's shapes, the same at every size: only other tenants' rows make sizes differ. */
export const systemShapes = {
  heartbeat: { days: 365, charged: true },
  treasury: { succeededDays: 30, failingDays: 30 },
} satisfies Pick<Shapes, 'heartbeat' | 'treasury'>;

/** What the system writes a day, per big table. */
export const systemPerDay = systemRowsPerDay(systemShapes);

export type Scale = {
  label: string;
  /** other tenants' rows in each big table: charge_receipts, the run ledger, ai_threads */
  rowsPerTable: number;
  /** other tenants: one user, billing account, key and grant each, and four schedules */
  tenants: number;
  /** days of other tenants' history (and the hourly charters'), ending at now */
  historyDays: number;
  /** the system's share of a day's runs */
  systemShareOfDay: number;
  shapes: Shapes;
};

/**
 * A size: other tenants' history is the longest, up to maxHistoryDays, in which the system's runs
 * of a day stay at most maxShareOfDay of the day's rows: then each of the system's rows in the
 * window lies on a heap page of its own, as in a busy production database where the system is one
 * tenant among many on any day. Where even two days cannot keep that (the smallest size), the
 * history is two days and the system's rows share pages: a young database, mostly the system's.
 */
export function scaleOf(label: string, rowsPerTable: number, shapes: Pick<Shapes, 'heartbeat' | 'treasury'> = systemShapes): Scale {
  const perDay = systemRowsPerDay(shapes).runs;
  const fitting = Math.floor((rowsPerTable * system.maxShareOfDay) / perDay);
  const historyDays = Math.max(2, Math.min(system.maxHistoryDays, fitting));
  const tenants = Math.max(1_000, Math.round(rowsPerTable / 200));
  return {
    label,
    rowsPerTable,
    tenants,
    historyDays,
    systemShareOfDay: perDay / (perDay + rowsPerTable / historyDays),
    shapes: { otherRows: rowsPerTable, tenants, historyDays, ...shapes },
  };
}

/**
 * Creates the schema from scripts/cogni/ with both run ledgers (graph_runs in use, schedule_runs
 * parked), grants the reader and the naive reader, and seeds everything two tables at a time.
 */
export async function seedDatabase(
  admin: pg.Client,
  second: pg.Client,
  options: { scale: Scale; now: Date; readerRole: string; naiveRole: string },
): Promise<void> {
  await applyCogniSchema(admin, 'graph_runs');
  for (const role of [options.readerRole, options.naiveRole]) await grantReader(admin, { role, ledger: 'graph_runs' });
  // The naive reading joins through execution_grants, which the worker's role may not read.
  await admin.query(`GRANT SELECT ON execution_grants TO ${options.naiveRole}`);
  await seedShapes(admin, second, {
    shapes: options.scale.shapes,
    now: options.now,
    ledgers: ['graph_runs', 'schedule_runs'],
    roles: [options.readerRole, options.naiveRole],
  });
}

/** The system's rows inside a tick's 24-hour windows, and the heap pages that hold them. */
export type WindowPages = Record<'receipts' | 'threads' | 'runs', { rows: number; pages: number }>;

/**
 * Counts, for the ledger on the search_path, the system's rows in a tick's windows at `now` (runs in
 * [now - 24 h, now], receipts in [now - 24 h, now), threads in (now - 24 h, now]) and the heap pages
 * holding them: where rows share pages, the database reads fewer buffers than one where the system
 * is one tenant among many. The runs are read one charter at a time, so their pages are counted per
 * charter: a page holding two charters' rows is visited twice.
 */
export async function windowPages(db: pg.Client, now: Date): Promise<WindowPages> {
  const pagesOf = (from: string, page = '(ctid::text::point)[0]') => `(SELECT json_build_object('rows', count(*), 'pages', count(DISTINCT ${page})) FROM ${from})`;
  const { rows } = await db.query<WindowPages>(
    `SELECT ${pagesOf(`charge_receipts WHERE billing_account_id = $1 AND created_at >= $3 AND created_at < $4`)} AS receipts,
            ${pagesOf(`ai_threads WHERE owner_user_id = $2 AND updated_at > $3 AND updated_at <= $4`)} AS threads,
            ${pagesOf(
              `${await ledgerInUse(db)} r WHERE r.schedule_id IN (SELECT id FROM schedules WHERE owner_user_id = $2)
                 AND r.scheduled_for >= $3 AND r.scheduled_for <= $4`,
              `(r.schedule_id, (r.ctid::text::point)[0])`,
            )} AS runs`,
    [system.billingAccountId, system.principalId, new Date(now.getTime() - 86_400_000), now],
  );
  return rows[0]!;
}
