// BENCHMARKS.md's footprint: the goal (issue 16: peak RSS under 96 MB at the default schedule) and
// the table of the four runs and the soak (bench/footprint.ts), every figure from this run.
import type { FootprintResult, FootprintRun } from './footprint.ts';
import { workerNodeFlags } from '../worker/runtime.ts';
import { snapshotTimeoutMs } from './worker-process.ts';
import { count, mib, table, type Report } from './tables.ts';

/** The goal in bytes: 96 MB, read strictly (10^6 bytes each), i.e. 91.6 MiB. */
export const peakGoal = { mb: 96, bytes: 96_000_000 };

const everySecond = (run: FootprintRun) => run.cron.split(' ').length === 6;
const scheduleOf = (run: FootprintRun) => (everySecond(run) ? 'one a second (`* * * * * *`)' : 'default (`* * * * *`)');
const storeOf = (run: Pick<FootprintRun, 'store'>) => (run.store === 's3' ? 'S3 (s3rver)' : 'file');
const mb = (valueMiB: number) => (valueMiB * 1024 * 1024) / 1e6;
const seconds = (value: number) => `${(value * 1000).toFixed(0)} ms`;

export const defaultRuns = (footprint: FootprintResult) => footprint.runs.filter((run) => !everySecond(run));
export const soakOf = (footprint: FootprintResult) => footprint.runs.find((run) => run.soak);

export function footprintGoalLine(footprint: FootprintResult): string {
  const runs = defaultRuns(footprint);
  const peak = Math.max(...runs.map((run) => run.peakRssMiB));
  const met = mb(peak) < peakGoal.mb;
  const margin = Math.abs(peakGoal.mb - mb(peak));
  const each = runs.map((run) => `${run.store} ${mib(run.peakRssMiB)}`).join(', ');
  const verdict = met ? `**met**, ${margin.toFixed(1)} MB under it` : `**missed** by ${margin.toFixed(1)} MB`;
  const floor = `Node alone ${mib(footprint.bareNode.rssMiB)}, a file-destination worker before its first read ${mib(footprint.fileWorkerUnreadMiB)}, every module loaded and nothing run ${mib(footprint.modulesLoadedMiB)}`;
  return `- Worker peak RSS (VmHWM) at the default schedule under ${peakGoal.mb} MB (${mib(peakGoal.bytes / 2 ** 20)}), file store and S3, at ${footprint.source}: ${each}; the higher is ${mb(peak).toFixed(1)} MB — ${verdict} (for scale: ${floor}; \`--once\` under ${leanestRuns(footprint)})`;
}

/** The `--once` runs under the leanest flags tried, each against the same run under the worker's own flags. */
function leanestRuns(footprint: FootprintResult, { besideOwn = true } = {}): string {
  const runs = footprint.leanest.once.map((lean) => {
    const own = footprint.once.find((run) => run.store === lean.store)!;
    const beside = besideOwn ? ` (${mib(own.peakRssMiB)} under the worker's flags)` : '';
    return `${storeOf(lean)} ${mib(lean.peakRssMiB)}, ${mb(lean.peakRssMiB).toFixed(1)} MB${beside}, for ${(lean.cpuMs / own.cpuMs).toFixed(2)}x its CPU`;
  });
  return `the leanest flags tried (\`${footprint.leanest.flags.join(' ')}\`): ${runs.join(', ')}`;
}

export function footprintSection(report: Report): string {
  const { footprint } = report;
  const { plan } = footprint;
  const soak = soakOf(footprint);
  const largestTicks = [...report.results].reverse().find((result) => result.ledger === 'graph_runs');
  const rows = footprint.runs.map((run) => [
    scheduleOf(run),
    storeOf(run),
    `${run.wallSeconds.toFixed(0)} s`,
    `${run.snapshots}${run.failures > 0 ? ` (${run.failures} failed)` : ''}`,
    mib(run.startupPeakRssMiB),
    `**${mib(run.peakRssMiB)}**`,
    mib(run.endRssMiB),
    `${run.fds.start} → ${run.fds.end}`,
    `${seconds(run.eventLoop.startup.p99)} / ${seconds(run.eventLoop.startup.max)}`,
    `${seconds(run.eventLoop.steady.p99)} / ${seconds(run.eventLoop.steady.max)}`,
    count(run.startupCpuMs),
    run.cpuPerSnapshotMs.toFixed(0),
    String(run.exitCode),
  ]);
  const ticksRss = report.results.map((result) => `${result.scale.label} ${result.ledger} ${mib(result.ticks.footprint.peakRssMiB)}`).join(', ');
  return `## Worker footprint

The worker as production starts it: \`node ${workerNodeFlags.join(' ')} worker/main.js\` (the flags of
worker/runtime.ts), with Node's compile cache (NODE_COMPILE_CACHE) warmed first by \`worker/main.js --version\` under the
same flags, as Dockerfile.worker does, so that no run loads TypeScript's type stripper; with \`STATUS_PAGE_URL\` (the
feeds) and \`SIGNING_KEY_FILE\` (an Ed25519 key: the signed snapshot and archive), so it writes every file a deployment
publishes; \`SNAPSHOT_TIMEOUT_MS=${snapshotTimeoutMs}\`, as in the ticks above. Measured at ${footprint.source}, as the reader role. The two runs of a schedule ran side by side
against that database (each store has its own leader lock, so both lead); the default schedule first, then one a
second, nothing else of the bench running meanwhile. The default schedule: the start-up (the 90-day rebuild and a
first snapshot) and ${plan.defaultTicks} ticks on the minute, ${plan.soakTicks} for the soak (S3); one a second: ${plan.everySecondSeconds} s after the first
snapshot. The bucket is s3rver in the bench's process (bench/s3.ts), reached over HTTP on 127.0.0.1 with the AWS SDK.
Where this memory goes, and what was tried to lower it: docs/measurements.md, "The worker's memory".

${table(
  ['schedule', 'store', 'ran', 'snapshots', 'peak RSS at the first snapshot', 'peak RSS (VmHWM)', 'RSS at the end', 'open descriptors, first snapshot → end', 'event loop p99 / max, start-up', `event loop p99 / max, after (worst ${plan.scrapeMs / 1000} s window)`, 'CPU ms to the first snapshot', 'CPU ms per later snapshot', 'exit'],
  rows,
)}

**One snapshot and exit** (\`worker/main.js --once\`, as a CronJob or a one-off run would start it; same flags, cache, feeds
and key; the start-up's 90-day rebuild, one snapshot published, exit), VmHWM read as the process exits:
${footprint.once.map((run) => `${storeOf(run)} **${mib(run.peakRssMiB)}**, ${count(run.cpuMs)} ms of CPU (exit ${run.exitCode})`).join(', ')}.
The same under ${leanestRuns(footprint, { besideOwn: false })}; these flags come after the worker's own and have a compile cache warmed for them (one run each, the worker's flags first; CPU here is user + system as the process exits).
A file-destination worker whose database refuses it (its modules loaded, no row read) peaks at ${mib(footprint.fileWorkerUnreadMiB)}.

${soak ? `**The soak** (default schedule, S3): ${soak.snapshots} snapshots in ${soak.wallSeconds.toFixed(0)} s; peak RSS ${mib(soak.peakRssMiB)}, ${mib(soak.endRssMiB)} resident at the end; ${soak.fds.start} open descriptors after the first snapshot and ${soak.fds.end} at the end; the event loop's p99 delay at most ${seconds(soak.eventLoop.steady.p99)} in any ${plan.scrapeMs / 1000}-second window after the start-up (longest single delay ${seconds(soak.eventLoop.steady.max)}), ${seconds(soak.eventLoop.startup.p99)} p99 and ${seconds(soak.eventLoop.startup.max)} longest during the start-up, whose rebuild is synchronous work.` : ''}

Peak RSS is VmHWM from /proc/<pid>/status, the most the process was ever resident; descriptors are the entries of
/proc/<pid>/fd; the event loop's delay is prom-client's \`nodejs_eventloop_lag_p99_seconds\` and \`…_max_seconds\` from the
worker's own /metrics (HEALTH_PORT), scraped every ${plan.scrapeMs / 1000} s as Prometheus would (each scrape resets its histogram: the
first covers the start-up). CPU is utime + stime from /proc/<pid>/stat (10 ms granularity). On a shared two-core machine
the delays and CPU times include waiting for a core.

${
    report.results.length === 0
      ? '' // `npm run bench:footprint` measures the footprint alone, without the tick measurements
      : `The steady-state tick measurements above (one a second, file store, ${report.reps.ticks + report.reps.tickWarmup + 1} snapshots) peaked at ${ticksRss}.${
          largestTicks ? ` At ${largestTicks.scale.label} (graph_runs) they spent ${largestTicks.ticks.footprint.steadyCpuPerSnapshotMs.toFixed(1)} ms of CPU per snapshot in steady state and ${count(largestTicks.ticks.footprint.startupCpuMs)} ms to the first.` : ''
        }`
  }`;
}

/** Whether the leanest flags tried bring one start-up under the goal, for every store. */
function leanestVerdict(footprint: FootprintResult): string {
  const highest = Math.max(...footprint.leanest.once.map((run) => run.peakRssMiB));
  return mb(highest) < peakGoal.mb
    ? `these flags bring the start-up under the goal, at that CPU`
    : `even these flags leave the start-up above the goal (${mb(highest).toFixed(1)} MB at the highest)`;
}

/** The paragraph of "What explains the figures" on memory and CPU on the host. */
export function footprintFindings(report: Report): string {
  const { footprint } = report;
  const { bareNode } = footprint;
  const byMinute = defaultRuns(footprint);
  const bySecond = footprint.runs.filter(everySecond);
  const soak = soakOf(footprint) ?? byMinute[0]!;
  const peaks = (runs: FootprintRun[]) => runs.map((run) => `${mib(run.peakRssMiB)} with ${storeOf(run)}`).join(' and ');
  const firstShare = Math.min(...byMinute.map((run) => run.startupPeakRssMiB / run.peakRssMiB));
  const failed = footprint.runs.flatMap((run) => run.failureReasons.map((failure) => `${failure.count} × "${failure.reason}" (${scheduleOf(run)}, ${storeOf(run)})`));
  return (
    `**The worker's memory.** At the default schedule it peaks at ${peaks(byMinute)}, at one snapshot a second at ${peaks(bySecond)}, and one \`--once\` at ${footprint.once.map((run) => `${mib(run.peakRssMiB)} with ${storeOf(run)}`).join(' and ')} (${footprint.source}). ` +
    `At least ${(100 * firstShare).toFixed(0)} % of the default schedule's peak is already reached when the first snapshot is published: the start-up (loading the modules, the 90-day rebuild, the first full read) sets it, the ticks after it add little. ` +
    `Node itself under the same flags, running nothing, is resident at ${mib(bareNode.rssMiB)}, ${mib(bareNode.fileMiB)} of it file-backed (Node's own binary mapped in); ` +
    `loading every module a worker may use and running nothing (\`worker/main.js --version\`, which loads the S3 store's AWS SDK too, from the warm compile cache) peaks at ${mib(footprint.modulesLoadedMiB)}; ` +
    `a file-destination worker before its first read at ${mib(footprint.fileWorkerUnreadMiB)}: ${mb(footprint.fileWorkerUnreadMiB).toFixed(1)} MB of the goal's ${peakGoal.mb} MB is spent before the start-up reads a row. ` +
    `One \`--once\` under ${leanestRuns(footprint)}; ${leanestVerdict(footprint)}. ` +
    `At the end of the soak the worker was resident at ${mib(soak.endRssMiB)}: ${mib(soak.end.anonMiB)} anonymous and ${mib(soak.end.fileMiB)} file-backed; V8's heap had ${mib(soak.end.heapUsedMiB)} in use of ${mib(soak.end.heapTotalMiB)}, and ${mib(soak.end.externalMiB)} outside it (buffers). ` +
    `The anonymous memory beyond V8's heap is what Node and V8 hold outside it (compiled code, the allocator's pages kept after the start-up's peak); the bench does not break it down further. ` +
    (failed.length > 0 ? `Ticks that failed during these runs: ${failed.join('; ')}. ` : 'No tick failed during these runs. ') +
    `CPU per later snapshot: ${footprint.runs.map((run) => `${run.cpuPerSnapshotMs.toFixed(0)} ms (${scheduleOf(run)}, ${storeOf(run)})`).join(', ')}.`
  );
}
