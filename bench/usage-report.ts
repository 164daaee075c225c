// BENCHMARKS.md's lines on usage (issue 19): what the tick's usage read costs in steady state, where
// it reads only the minutes the worker does not remember (worker/usage-memory.ts), beside a full read
// of the window (a start, a failed tick, a lost lead, every refresh) and the start-up's per-day usage.
import { defaultUsageMemoryOptions } from '../worker/usage-memory.ts';
import type { StatementCost } from './stat-statements.ts';
import { byLedger, count, ms, table, x, type SizeResult } from './tables.ts';

export const usageLabels = { window: 'usage in the window', byDay: 'usage by day', check: 'usage details check' };

const hours = (value: number) => `${value / 3_600_000} hours`;
const mark = (ok: boolean) => (ok ? '**met**' : '**missed**');

/** One statement's buffers and database time per tick in steady state (pg_stat_statements of the counted ticks). */
export function steadyUsage(result: SizeResult) {
  const row = result.ticks.statements.find((entry) => entry.label === usageLabels.window);
  return { buffers: row?.buffersPerTick ?? 0, ms: row?.msPerTick ?? 0 };
}

/** A full read of the window's usage: EXPLAIN (ANALYZE, BUFFERS) of one read at the pinned now, which reads it whole. */
export function fullUsage(result: SizeResult) {
  const plan = result.design.plans.find((entry) => entry.label === usageLabels.window);
  return { buffers: plan ? plan.buffers + plan.planningBuffers : 0, ms: plan ? plan.executionMs + plan.planningMs : 0, rows: plan?.rows ?? 0 };
}

/** The start-up's statements of one label: buffers, database ms and calls. */
export function startupOf(result: SizeResult, label: string) {
  const rows: StatementCost[] = result.ticks.startup.perStatement.filter((row) => row.label === label);
  return { buffers: rows.reduce((sum, row) => sum + row.blocks, 0), ms: rows.reduce((sum, row) => sum + row.ms, 0), calls: rows.reduce((sum, row) => sum + row.calls, 0) };
}

/**
 * The usage statement of a running worker (SnapshotCost.steadyUsage): the receipts of its ranges
 * (through charge_receipts_aggregation_idx) and every receipt row its plan read. Each receipt should
 * be read twice: from its range, and again by llm_charge_details' row-level policy, by primary key.
 */
export function steadyPlan(result: SizeResult) {
  const plan = result.design.steadyUsage;
  if (!plan) return null;
  const receipts = plan.scans.filter((scan) => scan.relation === 'charge_receipts');
  const rows = (scans: typeof receipts) => scans.reduce((sum, scan) => sum + scan.rows, 0);
  const inRanges = rows(receipts.filter((scan) => scan.indexes.includes('charge_receipts_aggregation_idx')));
  const read = rows(receipts);
  return { inRanges, read, buffers: plan.buffers + plan.planningBuffers, ms: plan.executionMs + plan.planningMs, ok: read <= 2 * inRanges + 10, access: plan.access };
}

function steadyPlanLine(results: SizeResult[]): string {
  const over = results.filter((result) => !steadyPlan(result)?.ok);
  const each = results.map((result) => {
    const plan = steadyPlan(result);
    return plan ? `${result.scale.label} ${result.ledger} ${count(plan.inRanges)} receipts → ${count(plan.read)} read, ${count(plan.buffers)} buffers, ${ms(plan.ms)} ms` : `${result.scale.label} ${result.ledger} not measured`;
  });
  const verdict = over.length === 0 ? '**met**' : `**missed** at ${over.map((result) => `${result.scale.label} ${result.ledger} (${steadyPlan(result)?.access.join('; ') ?? 'no plan'})`).join(', ')}`;
  return `- The usage statement of a running worker (the minutes it does not remember, one second after a full read; EXPLAIN at the pinned now) reads no receipt outside its ranges — at most 2 × their receipts + 10 receipt rows: each once from its range and once more by llm_charge_details' row-level policy — at every size and with both ledgers: ${verdict} (${each.join('; ')})`;
}

/** One line per ledger: the read with a running worker's usage ÷ the read without usage, side by side, at each size. */
function ratioLines(results: SizeResult[]): string[] {
  return [...new Set(results.map((result) => result.ledger))].map((ledger) => {
    const each = byLedger(results, ledger).rows.map((result) => {
      const { without, steady, full } = result.design.usage.variants;
      return `${result.scale.label} ${x(steady.timings.medianMs / without.timings.medianMs)} time, ${x(steady.buffers / without.buffers)} buffers (window whole ${x(full.timings.medianMs / without.timings.medianMs)}, ${x(full.buffers / without.buffers)})`;
    });
    return `- ${ledger}, a tick's read with a running worker's usage ÷ without usage, side by side (below): ${each.join('; ')}`;
  });
}

export function usageGoalLines(results: SizeResult[], tickBound: (result: SizeResult) => number): string[] {
  const lines: string[] = [...ratioLines(results), steadyPlanLine(results)];
  const ledgers = [...new Set(results.map((result) => result.ledger))];
  const refresh = defaultUsageMemoryOptions.refreshMs;
  const defaultTicksPerRefresh = refresh / 60_000;
  for (const ledger of ledgers) {
    const { rows, largest } = byLedger(results, ledger);
    const full = fullUsage(largest);
    const withFull = largest.ticks.buffersPerTick - steadyUsage(largest).buffers + full.buffers;
    lines.push(
      `- ${ledger}, usage in steady state (issue 19; the tick reads the receipts of the minutes it does not remember, ${defaultUsageMemoryOptions.marginMs / 60_000} minutes back, and nothing else of the window): ` +
        `${rows.map((result) => `${result.scale.label} ${count(steadyUsage(result).buffers)} buffers / ${ms(steadyUsage(result).ms)} ms per tick`).join(', ')}, inside the tick's figures above — ` +
        `the tick's bound with it ${mark(rows.every((result) => result.ticks.buffersPerTick <= tickBound(result)))}. ` +
        `A full read of the window (the first tick after a start, a failed tick or a lost lead, and every ${hours(refresh)}) costs ${count(full.buffers)} buffers and ${ms(full.ms)} ms at ${largest.scale.label} (EXPLAIN of one read), ` +
        `so that tick reads about ${count(withFull)} buffers, ${(withFull / tickBound(largest)).toFixed(1)}x its bound of ${count(tickBound(largest))} — **missed** on that tick; ` +
        `spread over the ${count(defaultTicksPerRefresh)} ticks of ${hours(refresh)} at the default schedule it adds ${count(full.buffers / defaultTicksPerRefresh)} buffers per tick`,
    );
  }
  return lines;
}

/** The real worker's counted ticks (pg_stat_statements): its usage statements' share of each tick. */
function tickShare(result: SizeResult) {
  const usage = result.ticks.statements.filter((row) => row.label === usageLabels.window || row.label === usageLabels.check);
  const buffers = usage.reduce((sum, row) => sum + row.buffersPerTick, 0);
  const dbMs = usage.reduce((sum, row) => sum + row.msPerTick, 0);
  return { buffers, dbMs, withoutBuffers: result.ticks.buffersPerTick - buffers, withoutMs: result.ticks.dbMsPerTick - dbMs };
}

function sideBySideTable(results: SizeResult[]): string {
  return table(
    ['ledger', 'other tenants\' rows', 'receipts read: running / whole window', 'without usage: median ms / buffers / database ms', 'running worker: median ms / buffers / database ms', 'window whole: median ms / buffers / database ms',
      'running ÷ without: time / buffers / database ms', 'whole ÷ without: time / buffers / database ms'],
    results.map((result) => {
      const { without, steady, full } = result.design.usage.variants;
      const cell = (variant: typeof without) => `${ms(variant.timings.medianMs)} / ${count(variant.buffers)} / ${ms(variant.dbMs)}`;
      const ratio = (variant: typeof without) => `${x(variant.timings.medianMs / without.timings.medianMs)} / ${x(variant.buffers / without.buffers)} / ${x(variant.dbMs / without.dbMs)}`;
      return [result.ledger, result.scale.label, `${count(result.design.usage.receipts.steady)} / ${count(result.design.usage.receipts.full)}`, cell(without), cell(steady), cell(full), `**${ratio(steady)}**`, ratio(full)];
    }),
  );
}

function tickShareTable(results: SizeResult[]): string {
  return table(
    ['ledger', 'other tenants\' rows', 'tick: buffers / database ms', 'its usage statements: buffers / database ms', 'tick without them: buffers / database ms', 'tick ÷ tick without them: buffers / database ms'],
    results.map((result) => {
      const share = tickShare(result);
      return [
        result.ledger,
        result.scale.label,
        `${count(result.ticks.buffersPerTick)} / ${ms(result.ticks.dbMsPerTick)}`,
        `${count(share.buffers)} / ${ms(share.dbMs)}`,
        `${count(share.withoutBuffers)} / ${ms(share.withoutMs)}`,
        `**${x(result.ticks.buffersPerTick / share.withoutBuffers)} / ${x(result.ticks.dbMsPerTick / share.withoutMs)}**`,
      ];
    }),
  );
}

/** BENCHMARKS.md's section on what usage adds to a tick: the read three ways side by side, and the real worker's ticks. */
export function usageSection(results: SizeResult[], perDay: { runs: number; receipts: number }): string {
  const { usage } = results[0]!.design;
  return `## The tick with usage and without it

Usage (issue 19) adds two statements to a tick: the details check, and the system account's receipts of
the window through \`charge_receipts_aggregation_idx\`, each joined to its \`llm_charge_details\` row by primary key.
The seed gives the system ${count(perDay.receipts)} receipts a day (every charged run calls the three seeded models in
turn, one receipt and one details row per call; twice a day a manual adjustment or a promo without details).

**The read, three ways, side by side.** The worker's source at the pinned \`now\`, one connection, as the reader role:
*without usage* (the same read on a pool that does not send the two usage statements: the tick before usage),
*running worker* (the ranges its usage memory asks for one second after a full read: the window's partial first
minute and the last ${defaultUsageMemoryOptions.marginMs / 60_000} minutes) and *window whole* (the first tick after a start, a failed tick or a lost
lead, and every ${hours(defaultUsageMemoryOptions.refreshMs)}). ${usage.reps} repetitions, the three timed in turn within each (the order rotating), so
the shared machine's busy moments fall on all three alike; buffers and database time from pg_stat_statements over
${usage.counted} further reads of each alone. The ratios are the result; the milliseconds move with the machine's load (a time
ratio below 1 is that noise: the buffers are the exact figure).

${sideBySideTable(results)}

**The real worker's ticks** (the steady state above, one snapshot a second): pg_stat_statements of the same counted
ticks, the usage statements apart from the rest.

${tickShareTable(results)}`;
}
