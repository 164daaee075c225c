// What one read of a tick's facts costs the database: the worker's own source (the Postgres source
// over a one-connection pool, as the reader role under RLS) timed many times at one pinned `now`,
// with one trivial round trip (SELECT 1) timed between every two; the buffers it touches from
// pg_stat_statements over the same loop; and each of its statements under EXPLAIN (ANALYZE, BUFFERS).
// That read takes the window's usage whole, as a tick after a start does; a running worker reads only
// the minutes it does not remember, whose statement is EXPLAINed apart (steadyUsage).
import pg from 'pg';
import type { GovernanceFacts } from '../shared/ports.ts';
import { defaultRules, queryFor, type SnapshotSettings } from '../worker/build-snapshot.ts';
import { defaults } from '../worker/config.ts';
import { createPostgresGovernanceSource } from '../worker/postgres/postgres-governance-source.ts';
import { explainAll, explainAsTenant, labelOf, readsOf, recordingPool, type QueryPlan, type Statement, readFacts } from './plans.ts';
import { system } from './seed.ts';
import type { StatStatements } from './stat-statements.ts';
import { measureUsageSideBySide, steadyUsageRanges, type UsageSideBySide } from './usage-cost.ts';

export const settings: SnapshotSettings = {
  principalId: system.principalId,
  billingAccountId: system.billingAccountId,
  staleAfterMs: () => 3 * 60_000,
  rules: defaultRules,
};

export type Timings = { reps: number; medianMs: number; p95Ms: number };

export type SnapshotCost = {
  snapshot: Timings;
  selectOne: Timings;
  /** shared buffers (hit + read) per read, from pg_stat_statements over the timed loop */
  buffers: number;
  /** the same from EXPLAIN (ANALYZE, BUFFERS) of each statement, execution and planning */
  explainBuffers: number;
  plans: QueryPlan[];
  /** the usage statement of a tick one second after a full read, with the ranges the worker's usage memory gives it */
  steadyUsage: QueryPlan | undefined;
  /** the read without its usage statements, with a running worker's, and with the window's whole, side by side */
  usage: UsageSideBySide;
  facts: GovernanceFacts;
};

/**
 * The usage read of a running worker at `now` (the ranges its usage memory asks for one second after
 * a full read: bench/usage-cost.ts), read once on a recording pool and EXPLAINed.
 */
async function explainSteadyUsage(pool: pg.Pool, now: Date): Promise<QueryPlan | undefined> {
  const ranges = await steadyUsageRanges(pool, now, settings);
  const recorded: Statement[] = [];
  const source = createPostgresGovernanceSource(recordingPool(pool, recorded), { statementTimeoutMs: defaults.STATEMENT_TIMEOUT_MS });
  await readFacts(source, { ...queryFor(now, settings), usageRanges: ranges });
  const usage = readsOf(recorded).filter(({ text }) => labelOf(text) === 'usage in the window');
  return (await explainAsTenant(pool, settings.principalId, usage, null))[0];
}

export function summarize(samples: number[]): Timings {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { reps: sorted.length, medianMs: at(0.5), p95Ms: at(0.95) };
}

export async function measureSnapshot(
  readerUrl: string,
  stats: StatStatements,
  options: { now: Date; ledger: string; reps: number; warmup: number; usageReps: number },
): Promise<SnapshotCost> {
  // As the worker: one connection, the source and queries of worker/postgres.
  const pool = new pg.Pool({ connectionString: readerUrl, max: 1, application_name: 'governance-status-bench' });
  pool.on('error', () => {});
  try {
    const source = createPostgresGovernanceSource(pool, { statementTimeoutMs: defaults.STATEMENT_TIMEOUT_MS });
    const query = queryFor(options.now, settings);
    let facts = await readFacts(source, query);
    for (let i = 1; i < options.warmup; i += 1) {
      await readFacts(source, query);
      await pool.query('SELECT 1');
    }
    await stats.reset();
    const snapshotMs: number[] = [];
    const selectOneMs: number[] = [];
    for (let i = 0; i < options.reps; i += 1) {
      let started = performance.now();
      facts = await readFacts(source, query);
      snapshotMs.push(performance.now() - started);
      started = performance.now();
      await pool.query('SELECT 1');
      selectOneMs.push(performance.now() - started);
    }
    const counted = await stats.blocks();

    // The same read once more on a recording pool, then each of its statements EXPLAINed in a
    // transaction like the source's (the tenant set, jit off).
    const recorded: Statement[] = [];
    await readFacts(createPostgresGovernanceSource(recordingPool(pool, recorded), { statementTimeoutMs: defaults.STATEMENT_TIMEOUT_MS }), query);
    const client = await pool.connect();
    let plans: QueryPlan[];
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await client.query("SELECT set_config('app.current_user_id', $1, true), set_config('jit', 'off', true)", [settings.principalId]);
      plans = await explainAll(client, readsOf(recorded), options.ledger);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const steadyUsage = await explainSteadyUsage(pool, options.now);
    const usage = await measureUsageSideBySide(pool, stats, { now: options.now, reps: options.usageReps, counted: Math.min(options.usageReps, 5), settings });
    return {
      steadyUsage,
      usage,
      snapshot: summarize(snapshotMs),
      selectOne: summarize(selectOneMs),
      buffers: counted.blocks / options.reps,
      explainBuffers: plans.reduce((sum, plan) => sum + plan.buffers + plan.planningBuffers, 0),
      plans,
      facts,
    };
  } finally {
    await pool.end();
  }
}
