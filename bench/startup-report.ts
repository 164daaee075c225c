// BENCHMARKS.md's start-up section: the worker's first build (the 90-day rebuild, the usage by day,
// the window's usage read whole) as pg_stat_statements and the worker's own log saw it.
import { count, table, type SizeResult } from './tables.ts';
import { startupOf, usageLabels } from './usage-report.ts';

function startupTable(results: SizeResult[]): string {
  return table(
    ['ledger', 'other tenants\' rows', 'history rebuild ms (worker)', 'first snapshot ms (rebuild included)', 'statements', 'shared buffers', 'database ms',
      'of which usage by day: buffers / ms', 'of which the window\'s usage, read whole: buffers / ms', 'CPU ms to the first snapshot', 'failed ticks', 'peak RSS (VmHWM)'],
    results.map((result) => {
      const byDay = startupOf(result, usageLabels.byDay);
      const window = startupOf(result, usageLabels.window);
      return [
        result.ledger,
        result.scale.label,
        `${count(result.ticks.startup.rebuildMs)}${result.ticks.startup.failedAttempts > 0 ? ` (after ${result.ticks.startup.failedAttempts} failed attempt${result.ticks.startup.failedAttempts > 1 ? 's' : ''})` : ''}`,
        count(result.ticks.startup.firstSnapshotMs),
        count(result.ticks.startup.statements),
        count(result.ticks.startup.buffers),
        count(result.ticks.startup.dbMs),
        `${count(byDay.buffers)} / ${count(byDay.ms)}`,
        `${count(window.buffers)} / ${count(window.ms)}`,
        count(result.ticks.footprint.startupCpuMs),
        result.ticks.failures,
        `${result.ticks.footprint.peakRssMiB.toFixed(1)} MiB`,
      ];
    }),
  );
}

export function startupSection(results: SizeResult[]): string {
  return `## Start-up: the 90-day history rebuild

The worker's first build reads each charter's facts before the 90-day horizon (three index probes
per charter) and then the 90 UTC days, one statement per day each for the runs, the spend and the usage
(receipts with their details), and counts them; its first tick reads the window's usage whole; only
then is its first snapshot published. Once per process (a restart, or a replica that becomes leader),
never per tick. Buffers, statements and database time from pg_stat_statements up to the first
published snapshot: the rebuild and that snapshot's own tick, and, when a start-up attempt ran past
\`SNAPSHOT_TIMEOUT_MS\` (30 s by default) and failed, what that attempt completed before the next tick
began again. The rebuild's wall time from the worker's \`history_rebuilt\` log; "failed ticks" counts
\`snapshot_failed\` over the whole run of that worker. \`npm run bench:startup\` measures this start-up alone, on
one size, with the event loop's longest delay during it (the worker's own /metrics).

${startupTable(results)}`;
}
