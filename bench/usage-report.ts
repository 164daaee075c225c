// BENCHMARKS.md's lines on usage (issue 19): what the tick's usage read costs in steady state, where
// it reads only the minutes the worker does not remember (worker/usage-memory.ts), beside a full read
// of the window (a start, a failed tick, a lost lead, every refresh) and the start-up's per-day usage.
import { defaultUsageMemoryOptions } from '../worker/usage-memory.ts';
import type { StatementCost } from './stat-statements.ts';
import { byLedger, count, ms, type SizeResult } from './tables.ts';

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

export function usageGoalLines(results: SizeResult[], tickBound: (result: SizeResult) => number): string[] {
  const lines: string[] = [steadyPlanLine(results)];
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
