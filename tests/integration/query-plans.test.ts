// Every query of a snapshot, EXPLAINed as the reader role on a database where other tenants own
// almost every row: none may read a table sequentially, so the cost stays flat as tables grow.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryFor } from '../../worker/build-snapshot.ts';
import { readAllFacts } from '../../worker/postgres/queries.ts';
import { bulkSystem, seedBulk } from '../../scripts/cogni/bulk-seed.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] };

function walk(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(walk)];
}

const now = new Date('2026-11-21T12:34:56.789Z');

describe.each(['schedule_runs', 'graph_runs'] as const)('query plans on %s', (ledger) => {
  let database: TestDatabase;
  let reader: pg.Pool;
  const plans: Array<{ sql: string; nodes: PlanNode[] }> = [];

  beforeAll(async () => {
    database = await createTestDatabase({ ledger });
    // The system has a deep history of its own: a plan must not read all of it either.
    await seedBulk(database.admin, { ledger, otherRows: 150_000, systemRows: 40_000, otherTenants: 2_000, now });
    reader = new pg.Pool({ connectionString: database.readerUrl, max: 1 });

    const client = await reader.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await client.query("SELECT set_config('app.current_user_id', $1, true)", [bulkSystem.principalId]);
      const recorded: Array<{ text: string; values?: unknown[] }> = [];
      const recorder = {
        query: (text: string, values?: unknown[]) => {
          recorded.push({ text, values });
          return client.query(text, values);
        },
      } as unknown as pg.PoolClient;
      const query = queryFor(now, { principalId: bulkSystem.principalId, billingAccountId: bulkSystem.billingAccountId, staleAfterMs: () => 0 });
      const facts = await readAllFacts(recorder, query);
      expect(facts.charters).toHaveLength(4); // the snapshot really read the system tenant's rows
      expect(facts.threads).toHaveLength(10);
      for (const { text, values } of recorded) {
        const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
        plans.push({ sql: text, nodes: walk(rows[0]!['QUERY PLAN'][0]!.Plan) });
      }
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  });
  afterAll(async () => {
    await reader?.end();
    await database?.drop();
  });

  it('explains every query the snapshot makes', () => {
    expect(plans).toHaveLength(6); // ledger lookup, balance, spend, charters, failed runs, threads
  });

  it('reads no application table sequentially', () => {
    const sequential = plans.flatMap(({ sql, nodes }) =>
      nodes
        .filter((node) => node['Node Type'] === 'Seq Scan' && !node['Relation Name']?.startsWith('pg_'))
        .map((node) => `${node['Relation Name']} in: ${sql.replace(/\s+/g, ' ').slice(0, 80)}`),
    );
    expect(sequential).toEqual([]);
  });

  it('serves the big tables through the indexes the schema already has', () => {
    const indexesOf = (needle: string) =>
      plans
        .filter(({ sql }) => sql.includes(needle))
        .flatMap(({ nodes }) => nodes.map((node) => node['Index Name']).filter(Boolean));
    // (billing_account_id, created_at), or the same with id after it
    expect(indexesOf('FROM charge_receipts')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^charge_receipts_(aggregation|pagination)_idx$/)]),
    );
    expect(indexesOf('FROM ai_threads')).toContain('ai_threads_owner_updated_idx');
    expect(indexesOf('FROM billing_accounts')).toEqual([expect.stringMatching(/^billing_accounts_(pkey|owner_user_id_unique)$/)]);
  });

  it('reads the run ledger only as ranges of (schedule_id, scheduled_for), never a whole history or a whole day', () => {
    // (schedule_id) alone would read a charter's entire history, (scheduled_for) every tenant's runs of the day
    const ledgerScans = plans.flatMap(({ nodes }) => nodes.filter((node) => node['Relation Name'] === ledger));
    expect(ledgerScans.length).toBeGreaterThanOrEqual(6); // last run + last success per charter, failed runs per charter
    expect(new Set(ledgerScans.map((node) => node['Index Name']))).toEqual(new Set([`${ledger}_schedule_slot_unique`]));
  });
});
