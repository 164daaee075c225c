// BENCHMARKS.md from one run's measurements: goals and tables first, then how they were taken and
// what explains them (findings.ts). Every figure below is computed from this run; nothing is typed in by hand.
import type { Ledger } from '../scripts/cogni/apply-schema.ts';
import { explainResults, whatTheOldDatasetsHid } from './findings.ts';
import { systemPerDay } from './seed.ts';
import { deploymentGoalLine } from './deployment-memory.ts';
import { footprintGoalLine, footprintSection } from './footprint-report.ts';
import { pageSections } from './page-report.ts';
import type { QueryPlan } from './plans.ts';
import { workerNodeFlags } from '../worker/runtime.ts';
import { snapshotTimeoutMs } from './worker-process.ts';
import { byLedger, count, detoursOf, kB, ms, problemsOf, table, x, type Report, type SizeResult } from './tables.ts';
import { startupSection } from './startup-report.ts';
import { usageGoalLines, usageSection } from './usage-report.ts';

export const goals = { buffers: 1.2, time: 1.5, perWindowRun: 2, constant: 1_000 };

export const tickBound = (result: SizeResult) => goals.perWindowRun * result.windowRuns + goals.constant;
const mark = (ok: boolean) => (ok ? '**met**' : '**missed**');
const ledgersOf = (results: SizeResult[]) => [...new Set(results.map((result) => result.ledger))];
/** Statements that read application tables other than through the schema's indexes, or the ledger other than through its slot index. */
const offIndex = (plans: QueryPlan[]) => [...problemsOf(plans), ...detoursOf(plans)];

function goalLines(results: SizeResult[]): string[] {
  const lines: string[] = [];
  for (const ledger of ledgersOf(results)) {
    const { rows, largest } = byLedger(results, ledger);
    const middle = rows[rows.length - 2]!;
    if (rows.length < 3) {
      // The smallest size is a young database where the system's rows share heap pages: against it, growth says nothing.
      lines.push(`- ${ledger}, ${largest.scale.label} against ${middle.scale.label}: not judged — the goals compare the largest size with a middle one, and this run had ${rows.length} sizes (${middle.scale.label}: the system's rows share heap pages)`);
      continue;
    }
    const buffers = largest.ticks.buffersPerTick / middle.ticks.buffersPerTick;
    const time = largest.ticks.dbMsPerTick / middle.ticks.dbMsPerTick;
    const worker = largest.ticks.workerMs.medianMs / middle.ticks.workerMs.medianMs;
    lines.push(
      `- ${ledger}, buffers per tick at ${largest.scale.label} ≤ ${goals.buffers}x ${middle.scale.label}: ${x(buffers)} (${count(middle.ticks.buffersPerTick)} → ${count(largest.ticks.buffersPerTick)}) — ${mark(buffers <= goals.buffers)}`,
      `- ${ledger}, time per tick at ${largest.scale.label} ≤ ${goals.time}x ${middle.scale.label}: ${x(time)} in the database (${ms(middle.ticks.dbMsPerTick)} → ${ms(largest.ticks.dbMsPerTick)} ms, pg_stat_statements); the worker's whole tick ${x(worker)} (median ${middle.ticks.workerMs.medianMs} → ${largest.ticks.workerMs.medianMs} ms) — ${mark(time <= goals.time)}`,
    );
  }
  const over = results.filter((result) => result.ticks.buffersPerTick > tickBound(result));
  lines.push(
    `- Buffers per tick ≤ ${goals.perWindowRun} × the system's runs in the 24-hour window + ${count(goals.constant)}, at every size and with both ledgers, in steady state, usage included: ${
      over.length === 0 ? '**met**' : `**missed** at ${over.map((result) => `${result.scale.label} ${result.ledger}`).join(', ')}`
    } (${results.map((result) => `${result.scale.label} ${result.ledger} ${count(result.ticks.buffersPerTick)} ≤ ${count(tickBound(result))}`).join('; ')})`,
  );
  const offPlan = results.filter((result) => offIndex(result.design.plans).length > 0);
  lines.push(
    `- Every statement of a tick index-served at every size, the run ledger only through \`<ledger>_schedule_slot_unique\`, the recent threads' latest run through \`graph_runs_state_key_idx\` (one probe per thread; EXPLAIN of one read): ${
      offPlan.length === 0 ? '**met**' : `**missed** at ${offPlan.map((result) => `${result.scale.label} ${result.ledger} (${offIndex(result.design.plans).join('; ')})`).join(', ')}`
    }`,
  );
  const failed = results.filter((result) => result.ticks.failures > 0);
  const reasons = (result: SizeResult) => result.ticks.failureReasons.map((failure) => `${failure.count} × ${failure.reason}`).join('; ');
  lines.push(`- No failed tick while measuring: ${failed.length === 0 ? '**met**' : `**missed** at ${failed.map((result) => `${result.scale.label} ${result.ledger} (${reasons(result)})`).join(', ')}`}`);
  for (const ledger of ledgersOf(results)) {
    const { rows } = byLedger(results, ledger);
    lines.push(
      `- ${ledger}, against the previous release's shape on the same databases, buffers per tick: ${rows
        .map((result) => `${result.scale.label} ${count(result.previous.buffers)} → ${count(result.ticks.buffersPerTick)} (${x(result.previous.buffers / result.ticks.buffersPerTick)} fewer)`)
        .join(', ')}`,
    );
  }
  return lines;
}

function tickTable(results: SizeResult[]): string {
  return table(
    ['ledger', 'other tenants\' rows', 'system runs in the window', 'bound (2 × runs + 1,000)', 'buffers per tick', 'database ms per tick', 'worker ms per tick (median / p95)',
      'previous shape: buffers', 'previous shape: database ms', 'previous ÷ now (buffers)', 'previous ÷ now (database ms)'],
    results.map((result) => [
      result.ledger,
      result.scale.label,
      count(result.windowRuns),
      count(tickBound(result)),
      count(result.ticks.buffersPerTick),
      ms(result.ticks.dbMsPerTick),
      `${result.ticks.workerMs.medianMs} / ${result.ticks.workerMs.p95Ms}`,
      count(result.previous.buffers),
      ms(result.previous.dbMs),
      x(result.previous.buffers / result.ticks.buffersPerTick),
      x(result.previous.dbMs / result.ticks.dbMsPerTick),
    ]),
  );
}

/** Per statement, per tick, at each size: from pg_stat_statements of the worker's ticks, or of the previous shape's reads. */
function perStatementTable(results: SizeResult[], ledger: Ledger, which: 'ticks' | 'previous'): string {
  const { rows } = byLedger(results, ledger);
  const costs = (result: SizeResult) =>
    which === 'ticks'
      ? result.ticks.statements.map((row) => ({ label: row.label, buffers: row.buffersPerTick, ms: row.msPerTick }))
      : result.previous.perStatement;
  const labels = [...new Set(rows.flatMap((result) => costs(result).filter((row) => row.buffers >= 0.5 || row.ms >= 0.05).map((row) => row.label)))];
  const cell = (result: SizeResult, label: string) => {
    const row = costs(result).find((entry) => entry.label === label);
    return row ? `${count(row.buffers)} / ${ms(row.ms)}` : '—';
  };
  const largest = rows[rows.length - 1]!;
  // A running worker's usage statement reads the minutes it does not remember: its own plan, not the full read's.
  const steady = which === 'ticks' && largest.design.steadyUsage ? [largest.design.steadyUsage] : [];
  const plans = [...steady, ...(which === 'ticks' ? largest.design.plans : largest.previous.plans)];
  const access = (label: string) => plans.find((plan) => plan.label === label)?.access.join('; ') ?? '';
  return table(
    ['statement (buffers / database ms)', ...rows.map((result) => result.scale.label), `how each table is read at ${largest.scale.label} (EXPLAIN)`],
    labels.map((label) => [label, ...rows.map((result) => cell(result, label)), access(label)]),
  );
}

function oneReadTable(results: SizeResult[]): string {
  return table(
    ['ledger', 'other tenants\' rows', 'median ms', 'p95 ms', 'shared buffers', 'EXPLAIN buffers', 'SELECT 1 median ms', 'read ÷ SELECT 1', 'index-served'],
    results.map((result) => {
      const { design } = result;
      const off = offIndex(design.plans);
      return [
        result.ledger,
        result.scale.label,
        ms(design.snapshot.medianMs),
        ms(design.snapshot.p95Ms),
        count(design.buffers),
        count(design.explainBuffers),
        ms(design.selectOne.medianMs),
        x(design.snapshot.medianMs / design.selectOne.medianMs),
        off.length > 0 ? `no: ${off.join('; ')}` : 'yes',
      ];
    }),
  );
}

function explainTable(results: SizeResult[], ledger: Ledger): string {
  const { rows, smallest } = byLedger(results, ledger);
  const planOf = (result: SizeResult, label: string) => result.design.plans.find((plan) => plan.label === label);
  const accessOf = (label: string) => {
    const groups = new Map<string, string[]>();
    for (const result of rows) {
      const paths = planOf(result, label)?.access.join('; ') || 'catalog only';
      groups.set(paths, [...(groups.get(paths) ?? []), result.scale.label]);
    }
    return [...groups].map(([paths, sizes]) => (groups.size > 1 ? `${sizes.join(', ')}: ${paths}` : paths)).join(' — ');
  };
  return table(
    ['statement', ...rows.map((result) => `${result.scale.label}: rows / buffers`), 'how each table is read'],
    smallest.design.plans.map((plan) => [
      plan.label,
      ...rows.map((result) => {
        const at = planOf(result, plan.label);
        return at ? `${count(at.rows)} / ${count(at.buffers + at.planningBuffers)}` : '—';
      }),
      accessOf(plan.label),
    ]),
  );
}

function naiveTable(results: SizeResult[]): string {
  return table(
    ['ledger', 'other tenants\' rows', 'naive median ms', 'reads', 'naive buffers', 'naive ÷ one read (time)', 'naive ÷ one read (buffers)', 'same answer', 'sequential scans in the naive plans'],
    results.map(({ ledger, scale, design, naive }) => [
      ledger,
      scale.label,
      ms(naive.timings.medianMs),
      naive.timings.reps,
      count(naive.buffers),
      x(naive.timings.medianMs / design.snapshot.medianMs),
      x(naive.buffers / design.buffers),
      naive.sameAnswer ? 'yes' : 'NO',
      problemsOf(naive.plans).join('; ') || 'none',
    ]),
  );
}

const bothLedgers = (results: SizeResult[], render: (ledger: Ledger) => string) =>
  ledgersOf(results).map((ledger) => `### ${ledger}\n\n${render(ledger)}`).join('\n\n');

export function renderReport(report: Report): string {
  const { machine, reps } = report;
  // One ledger after the other, each from the smallest size up (the sort is stable).
  const results = [...report.results].sort((a, b) => (a.ledger === b.ledger ? 0 : a.ledger === 'graph_runs' ? -1 : 1));
  return `# Benchmarks

What the governance worker costs the database it reads, on databases shaped like a deployment that
has run for a year, as other tenants' rows grow; what it costs its host; how heavy the page is.
Produced by \`${report.command}\` (not part of \`npm test\`) on ${report.date.toISOString().slice(0, 10)}; the whole run took
${(report.wallSeconds / 60).toFixed(1)} minutes. Speed claims about this project live here, not in tests. What a run does not measure (the worker's memory
taken apart, the single-purpose benches before and after a change, cleaning hostile values, verifying the signed
record) is in docs/measurements.md, which a run leaves alone.${report.quick ? '\n\n**A quick run: a month of the per-minute charter instead of a year, smaller sizes. BENCHMARKS.md holds a full run.**' : ''}

**Machine:** ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB.toFixed(1)} GiB memory, ${machine.os};
Node ${machine.node}; ${machine.postgres}.

## Goals

${[...goalLines(results), ...usageGoalLines(results, tickBound), footprintGoalLine(report.footprint), deploymentGoalLine(report.deployment, report.footprint, results)].join('\n')}

${whatTheOldDatasetsHid(report)}

## The scheduled tick in steady state

The real worker as production starts it (bench/worker-process.ts: \`node ${workerNodeFlags.join(' ')} worker/main.js\`,
Node's compile cache warmed by \`--version\`, feeds and a signing key on, \`SNAPSHOT_TIMEOUT_MS=${snapshotTimeoutMs}\` so that a start-up slowed by the
shared machine is not cut off and retried) against each database as the reader role (no
BYPASSRLS, forced RLS), \`SNAPSHOT_CRON='* * * * * *'\`, \`HEALTH_PORT=0\`, publishing to a temporary folder.
After its first snapshot (which rebuilds the history, below) and ${reps.tickWarmup} more, pg_stat_statements is reset
for the reader role and the next ${reps.ticks} successful ticks are counted: shared buffers (hit + read) and
server time (execution + planning) of every statement the role ran, the advisory-lock leader's
included, divided by the ticks (one read of the recent threads each). "Worker ms" is the worker's
own \`durationMs\` of each tick: reading, judging, validating, writing the files. By the counted ticks the worker
remembers the window's usage and reads the receipts of the last minutes only (the usage statement, on its own line
below; a full read is in the goals). The previous
release's shape (bench/previous-queries.ts, the statements of commit e20c5b0) ran right after on the
same database, ${reps.previous} times or for ${reps.previousBudgetMs / 1000} s, each read at the moment it ran, as its ticks did.

${tickTable(results)}

Per statement and tick, buffers / database ms:

${bothLedgers(results, (ledger) => perStatementTable(results, ledger, 'ticks'))}

The previous release's shape, per statement and read, buffers / database ms:

${bothLedgers(results, (ledger) => perStatementTable(results, ledger, 'previous'))}

${usageSection(results, systemPerDay)}

${startupSection(results)}

## One read of a tick's facts

The worker's source, \`createPostgresGovernanceSource(pool).readTick(…)\` with \`queryFor(now, …)\`, at the
pinned \`now\` the history ends at, on a one-connection pool as the reader role: BEGIN, set_config, its
statements, COMMIT. It reads the window's usage whole, as the first tick after a start does (a running
worker reads the minutes it does not remember: that statement's plan is in the goals and in the
per-tick table). ${reps.snapshot} timed reads after ${reps.warmup} warm-up reads, a \`SELECT 1\` on the same pool
timed between every two; buffers per read from pg_stat_statements over the timed reads; each
statement then under EXPLAIN (ANALYZE, BUFFERS).

${oneReadTable(results)}

Per statement (EXPLAIN, execution + planning):

${bothLedgers(results, (ledger) => explainTable(results, ledger))}

## Against the straightforward way

The same facts read the way one writes them first (bench/naive-snapshot.ts): spend over a time range
with RLS alone choosing the tenant, each charter's latest run and success by grouping its whole
history, failed runs joined through execution_grants by billing account, threads by RLS alone. Same
role rights plus execution_grants, same RLS, same transaction; "same answer" compares the results.

${naiveTable(results)}

${footprintSection(report)}

${pageSections(report.page.weight, report.page.now, report.page.before)}
${explainResults(report)}
`;
}
