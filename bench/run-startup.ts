// `npm run bench:startup`: the worker's start-up alone (the 90-day rebuild and its first snapshot) on one
// size (BENCH_STARTUP_SIZE, default 10k: the system's own 90 days are the same at every size), the system's
// full year, graph_runs, the reader role; BENCH_STARTUP_RUNS workers one after the other, each measured to its
// first snapshot (pg_stat_statements, /proc, its /metrics); BENCH_CPU_PROF=<dir> profiles them. Prints JSON.
import { temporaryFolder } from './interrupt.ts';
import { sizeFrom, withSeededDatabase } from './one-database.ts';
import { statStatements, type StatementCost } from './stat-statements.ts';
import { usageLabels } from './usage-report.ts';
import { freePort, prepareWorkerKit, sampleProcess, scrapeMetrics, startWorker } from './worker-process.ts';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { snapshotFileName } from '../shared/contract.ts';

const { label, rows } = sizeFrom('BENCH_STARTUP_SIZE', '10k');
/** how many workers start one after the other on the same seeded database */
const starts = Number(process.env.BENCH_STARTUP_RUNS ?? '1');

const started = performance.now();
const log = (line: string) => process.stderr.write(`[bench:startup ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
const sum = (list: StatementCost[], key: 'blocks' | 'ms' | 'calls') => list.reduce((total, row) => total + row[key], 0);

async function measureStart(kit: Awaited<ReturnType<typeof prepareWorkerKit>>, readerUrl: string, stats: ReturnType<typeof statStatements>) {
  const { path: folder, remove } = await temporaryFolder('governance-bench-startup-');
  const port = await freePort();
  await stats.reset();
  const worker = startWorker(kit, {
    DATABASE_URL: readerUrl,
    SNAPSHOT_DESTINATION: pathToFileURL(join(folder, snapshotFileName)).href,
    // hourly, half an hour from now: no tick but the start-up's own while it is measured
    SNAPSHOT_CRON: `${(new Date().getUTCMinutes() + 30) % 60} * * * *`,
    HEALTH_PORT: String(port),
    ...(process.env.BENCH_CPU_PROF ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF}` } : {}),
  });
  try {
    await worker.publishedCount(1, 10 * 60_000);
    const [statements, sample, metrics] = await Promise.all([stats.statements(), sampleProcess(worker.pid), scrapeMetrics(port)]);
    const byDay = statements.filter((row) => row.label === usageLabels.byDay);
    return {
      rebuildMs: worker.rebuildMs,
      firstSnapshotMs: worker.published[0],
      failedAttempts: worker.failures,
      statements: sum(statements, 'calls'),
      buffers: sum(statements, 'blocks'),
      dbMs: Math.round(sum(statements, 'ms')),
      usageByDay: { calls: sum(byDay, 'calls'), buffers: sum(byDay, 'blocks'), ms: Math.round(sum(byDay, 'ms')) },
      cpuMsToFirstSnapshot: sample.cpuMs,
      peakRssMiB: Math.round((sample.peakRssKiB / 1024) * 10) / 10,
      eventLoopStartup: { p99Ms: Math.round((metrics.get('nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 1000), maxMs: Math.round((metrics.get('nodejs_eventloop_lag_max_seconds') ?? Number.NaN) * 1000) },
      exitCode: await worker.stop(),
    };
  } finally {
    await worker.stop();
    await remove();
  }
}

async function main() {
  await withSeededDatabase({ label, rows, database: `bench_startup_${label.toLowerCase()}`, log }, async ({ kit, root, database, readerRole, readerUrl }) => {
    log('seeded; starting the worker');
    const stats = statStatements(root, database, readerRole);
    const results = [];
    for (let run = 0; run < starts; run += 1) {
      results.push(await measureStart(kit, readerUrl, stats));
      log(`start ${run + 1}: ${JSON.stringify(results.at(-1))}`);
    }
    process.stdout.write(`${JSON.stringify({ size: label, graphRuns: true, results }, null, 2)}\n`);
  });
}

await main();
