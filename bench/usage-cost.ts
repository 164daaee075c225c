// The tick's read with its usage statements and without them, side by side (issue 19): the worker's
// own source (worker/postgres) at one pinned `now`, on one connection as the reader role, three ways:
//   without — the same read on a pool that does not send the usage statements (the details check and
//             the window's receipts joined to llm_charge_details): the tick as it was before usage;
//   steady  — a running worker's read: the ranges its usage memory (worker/usage-memory.ts) asks for
//             one second after a full read (the partial first minute and the minutes of its margin);
//   full    — the window's usage read whole: the first tick after a start, a failed tick or a lost
//             lead, and every refresh.
// The three are timed in turn within each repetition (the order rotating), so a busy moment of the
// shared machine falls on all three alike; then each runs alone between two resets of
// pg_stat_statements for its buffers and database time. The figures are reported as ratios to
// `without`, measured in the same run, never as absolute goals.
import pg from 'pg';
import { queryFor, type SnapshotSettings } from '../worker/build-snapshot.ts';
import { defaults } from '../worker/config.ts';
import { createPostgresGovernanceSource } from '../worker/postgres/postgres-governance-source.ts';
import { createUsageMemory } from '../worker/usage-memory.ts';
import { labelOf, readFacts, recordingClient, recordingPool, type Statement } from './plans.ts';
import { summarize, type Timings } from './snapshot-cost.ts';
import type { StatStatements } from './stat-statements.ts';

export const usageVariants = ['without', 'steady', 'full'] as const;
export type UsageVariant = (typeof usageVariants)[number];

export type VariantCost = { timings: Timings; buffers: number; dbMs: number; statements: number };
export type UsageSideBySide = { reps: number; counted: number; receipts: { steady: number; full: number }; variants: Record<UsageVariant, VariantCost> };

const usageLabelsSent = ['usage details check', 'usage in the window'];
const usageStatement = (text: string) => usageLabelsSent.includes(labelOf(text));

/** A pool whose clients answer the usage statements with no rows, without sending them. */
export function poolWithoutUsage(pool: pg.Pool): pg.Pool {
  return {
    async connect() {
      const client = await pool.connect();
      const forwarding = recordingClient(client, []);
      return Object.assign(forwarding, {
        query: (text: string, values?: unknown[]) => (usageStatement(text) ? Promise.resolve({ rows: [] }) : client.query(text, values)),
        release: (error?: Error | boolean) => client.release(error),
      });
    },
  } as unknown as pg.Pool;
}

/**
 * The usage ranges of a running worker's tick at `now`: a full read one second earlier folded into
 * the worker's own usage memory, then what it asks for at `now`.
 */
export async function steadyUsageRanges(pool: pg.Pool, now: Date, settings: Pick<SnapshotSettings, 'principalId' | 'billingAccountId'>) {
  const source = createPostgresGovernanceSource(pool, { statementTimeoutMs: defaults.STATEMENT_TIMEOUT_MS });
  const memory = createUsageMemory();
  const before = queryFor(new Date(now.getTime() - 1_000), settings);
  memory.apply(await readFacts(source, { ...before, usageRanges: memory.rangesFor(before.now.getTime(), before.spendFrom.getTime()) }));
  const query = queryFor(now, settings);
  return memory.rangesFor(now.getTime(), query.spendFrom.getTime());
}

/**
 * The comparison holds only if `without` differs from the real read by exactly the usage statements:
 * one read of each on a recording pool, their statements by label, compared (a renamed usage query
 * that the labels no longer recognise would otherwise be measured on both sides).
 */
export async function checkVariants(pool: pg.Pool, query: ReturnType<typeof queryFor>): Promise<void> {
  // What reaches the database: recorded under the pool that drops statements, not above it.
  const labelsOf = async (wrap: (on: pg.Pool) => pg.Pool) => {
    const recorded: Statement[] = [];
    await readFacts(createPostgresGovernanceSource(wrap(recordingPool(pool, recorded)), { statementTimeoutMs: defaults.STATEMENT_TIMEOUT_MS }), query);
    return recorded.map(({ text }) => labelOf(text));
  };
  const full = await labelsOf((on) => on);
  const without = await labelsOf(poolWithoutUsage);
  const expected = full.filter((label) => !usageLabelsSent.includes(label));
  if (usageLabelsSent.some((label) => !full.includes(label)) || JSON.stringify(without) !== JSON.stringify(expected)) {
    throw new Error(`the read without usage is not the read less its usage statements: ${JSON.stringify({ full, without })}`);
  }
}

export async function measureUsageSideBySide(
  pool: pg.Pool,
  stats: StatStatements,
  options: { now: Date; reps: number; counted: number; settings: Pick<SnapshotSettings, 'principalId' | 'billingAccountId'> },
): Promise<UsageSideBySide> {
  const sourceOf = (on: pg.Pool) => createPostgresGovernanceSource(on, { statementTimeoutMs: defaults.STATEMENT_TIMEOUT_MS });
  const query = queryFor(options.now, options.settings);
  const steadyRanges = await steadyUsageRanges(pool, options.now, options.settings);
  const reads: Record<UsageVariant, () => ReturnType<typeof readFacts>> = {
    without: () => readFacts(sourceOf(poolWithoutUsage(pool)), query),
    steady: () => readFacts(sourceOf(pool), { ...query, usageRanges: steadyRanges }),
    full: () => readFacts(sourceOf(pool), query),
  };
  await checkVariants(pool, query);
  const receipts = {
    steady: (await reads.steady()).usage.rows.reduce((sum, row) => sum + row.requests, 0),
    full: (await reads.full()).usage.rows.reduce((sum, row) => sum + row.requests, 0),
  };
  const samples: Record<UsageVariant, number[]> = { without: [], steady: [], full: [] };
  for (let rep = 0; rep < options.reps; rep += 1) {
    for (let turn = 0; turn < usageVariants.length; turn += 1) {
      const variant = usageVariants[(rep + turn) % usageVariants.length]!;
      const started = performance.now();
      await reads[variant]();
      samples[variant].push(performance.now() - started);
    }
  }
  const variants = {} as Record<UsageVariant, VariantCost>;
  for (const variant of usageVariants) {
    await stats.reset();
    for (let i = 0; i < options.counted; i += 1) await reads[variant]();
    const counted = await stats.blocks();
    variants[variant] = { timings: summarize(samples[variant]), buffers: counted.blocks / options.counted, dbMs: counted.ms / options.counted, statements: counted.calls / options.counted };
  }
  return { reps: options.reps, counted: options.counted, receipts, variants };
}
