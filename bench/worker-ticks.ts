// The scheduled tick in steady state, the figure that matters: the real worker as production starts
// it (bench/worker-process.ts: worker/main.js under workerNodeFlags, a warm compile cache) on a
// one-second SNAPSHOT_CRON, as the reader role, publishing to a temporary folder. Its first build
// rebuilds 90 days of history and reads the window's usage whole (measured apart: the start-up);
// after a few more ticks to warm up, pg_stat_statements is reset and the next ticks are counted: by
// then each tick reads the usage of the minutes it does not remember only (worker/usage-memory.ts),
// as a running worker does. CPU and the memory high-water mark come from /proc. Then SIGTERM stops it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { snapshotFileName } from '../shared/contract.ts';
import { temporaryFolder } from './interrupt.ts';
import { summarize, type Timings } from './snapshot-cost.ts';
import type { StatementCost, StatStatements } from './stat-statements.ts';
import { sampleProcess, startWorker, type WorkerKit } from './worker-process.ts';

export type PerStatement = { label: string; callsPerTick: number; buffersPerTick: number; msPerTick: number };

export type WorkerTicks = {
  /** successful ticks counted in steady state (calls of the one statement only a tick makes) */
  ticks: number;
  failures: number;
  /** why ticks failed, as the worker logged it, with how often */
  failureReasons: Array<{ reason: string; count: number }>;
  /** shared buffers (hit + read) and server time (execution + planning) per tick, pg_stat_statements */
  buffersPerTick: number;
  dbMsPerTick: number;
  /** the worker's own durationMs of each counted tick: read, judge, validate, write */
  workerMs: Timings;
  statements: PerStatement[];
  /** the first build: readEarlierRuns and 90 days of history, one statement per day, plus one tick */
  startup: {
    /** the last rebuild before the first published snapshot (after a failed attempt, the one that succeeded) */
    rebuildMs: number;
    firstSnapshotMs: number;
    /** attempts that failed before the first snapshot was published (a start-up past SNAPSHOT_TIMEOUT_MS) */
    failedAttempts: number;
    buffers: number;
    dbMs: number;
    statements: number;
    perStatement: StatementCost[];
  };
  /** when the counted ticks ran, to count the system's rows in their windows */
  countedFrom: Date;
  countedTo: Date;
  footprint: Footprint;
  /** the last snapshot it published */
  snapshotJson: string;
};

export type Footprint = {
  /** VmHWM: the most resident memory the process ever had */
  peakRssMiB: number;
  /** utime + stime up to the first published snapshot: start-up, the history rebuild and one snapshot */
  startupCpuMs: number;
  /** CPU between the first and the last counted snapshot, per snapshot */
  steadyCpuPerSnapshotMs: number;
  snapshots: number;
  exitCode: number | null;
};

const sum = (rows: StatementCost[], key: 'blocks' | 'ms' | 'calls') => rows.reduce((total, row) => total + row[key], 0);

export async function measureWorkerTicks(
  kit: WorkerKit,
  readerUrl: string,
  stats: StatStatements,
  options: { warmup: number; ticks: number; log: (line: string) => void },
): Promise<WorkerTicks> {
  const { path: folder, remove } = await temporaryFolder('governance-bench-worker-');
  const destination = join(folder, snapshotFileName);
  await stats.reset();
  const worker = startWorker(kit, { DATABASE_URL: readerUrl, SNAPSHOT_DESTINATION: pathToFileURL(destination).href, SNAPSHOT_CRON: '* * * * * *', HEALTH_PORT: '0' });
  try {
    await worker.publishedCount(1, 10 * 60_000);
    // Read at once: the next tick starts on the next second, and takes milliseconds to start reading.
    const [startupRows, first] = await Promise.all([stats.statements(), sampleProcess(worker.pid)]);
    const failedAttempts = worker.failures;
    options.log(`worker: first snapshot after a ${worker.rebuildMs} ms history rebuild; warming up`);
    await worker.publishedCount(1 + options.warmup, 60_000 + options.warmup * 5_000);
    await stats.reset();
    const countedFrom = new Date();
    const firstCounted = worker.published.length;
    const before = await sampleProcess(worker.pid);
    await worker.publishedCount(firstCounted + options.ticks, 60_000 + options.ticks * 5_000);
    const [rows, last] = await Promise.all([stats.statements(), sampleProcess(worker.pid)]);
    const countedTo = new Date();
    // A tick is one read of the recent threads; nothing else reads them.
    const ticks = rows.filter((row) => row.label === 'recent threads').reduce((total, row) => total + row.calls, 0);
    const perLabel = new Map<string, PerStatement>();
    for (const row of rows) {
      const entry = perLabel.get(row.label) ?? { label: row.label, callsPerTick: 0, buffersPerTick: 0, msPerTick: 0 };
      entry.callsPerTick += row.calls / ticks;
      entry.buffersPerTick += row.blocks / ticks;
      entry.msPerTick += row.ms / ticks;
      perLabel.set(row.label, entry);
    }
    const exitCode = await worker.stop();
    return {
      ticks,
      failures: worker.failures,
      failureReasons: [...worker.failureReasons].map(([reason, times]) => ({ reason, count: times })),
      buffersPerTick: sum(rows, 'blocks') / ticks,
      dbMsPerTick: sum(rows, 'ms') / ticks,
      workerMs: summarize(worker.published.slice(firstCounted, firstCounted + options.ticks)),
      statements: [...perLabel.values()].sort((a, b) => b.buffersPerTick - a.buffersPerTick),
      startup: {
        rebuildMs: worker.rebuildMs,
        firstSnapshotMs: worker.published[0]!,
        failedAttempts,
        buffers: sum(startupRows, 'blocks'),
        dbMs: sum(startupRows, 'ms'),
        statements: sum(startupRows, 'calls'),
        perStatement: startupRows,
      },
      countedFrom,
      countedTo,
      footprint: {
        peakRssMiB: last.peakRssKiB / 1024,
        startupCpuMs: first.cpuMs,
        steadyCpuPerSnapshotMs: (last.cpuMs - before.cpuMs) / options.ticks,
        snapshots: worker.published.length,
        exitCode,
      },
      snapshotJson: await readFile(destination, 'utf8'),
    };
  } finally {
    await worker.stop();
    await remove();
  }
}
