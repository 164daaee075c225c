// The scheduled tick in steady state, the figure that matters: the real worker (`node worker/main.ts`)
// on a one-second SNAPSHOT_CRON, as the reader role, publishing to a temporary folder. Its first
// build rebuilds 90 days of history (measured apart: the start-up); after a few more ticks to warm
// up, pg_stat_statements is reset and the next ticks are counted. The process's memory high-water
// mark and CPU time come from /proc. Then SIGTERM stops it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { snapshotFileName } from '../shared/contract.ts';
import { summarize, type Timings } from './snapshot-cost.ts';
import type { StatementCost, StatStatements } from './stat-statements.ts';

const workerMain = fileURLToPath(new URL('../worker/main.ts', import.meta.url));

export type PerStatement = { label: string; callsPerTick: number; buffersPerTick: number; msPerTick: number };

export type WorkerTicks = {
  /** successful ticks counted in steady state (calls of the one statement only a tick makes) */
  ticks: number;
  failures: number;
  /** shared buffers (hit + read) and server time (execution + planning) per tick, pg_stat_statements */
  buffersPerTick: number;
  dbMsPerTick: number;
  /** the worker's own durationMs of each counted tick: read, judge, validate, write */
  workerMs: Timings;
  statements: PerStatement[];
  /** the first build: readEarlierRuns and 90 days of history, one statement per day, plus one tick */
  startup: { rebuildMs: number; firstSnapshotMs: number; buffers: number; dbMs: number; statements: number };
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

type Sample = { cpuMs: number; peakRssKiB: number };

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

async function sample(pid: number): Promise<Sample> {
  const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
  return { cpuMs: (ticks * 1000) / clockTicks, peakRssKiB: Number(hwm?.[1] ?? 0) };
}

const sum = (rows: StatementCost[], key: 'blocks' | 'ms' | 'calls') => rows.reduce((total, row) => total + row[key], 0);

export async function measureWorkerTicks(
  readerUrl: string,
  stats: StatStatements,
  options: { warmup: number; ticks: number; log: (line: string) => void },
): Promise<WorkerTicks> {
  const folder = await mkdtemp(join(tmpdir(), 'governance-bench-worker-'));
  const destination = join(folder, snapshotFileName);
  await stats.reset();
  const child = spawn(process.execPath, [workerMain], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: readerUrl,
      SNAPSHOT_DESTINATION: pathToFileURL(destination).href,
      SNAPSHOT_CRON: '* * * * * *',
      HEALTH_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));

  // Every log line, in order; waiters for the n-th published snapshot.
  const published: Array<{ durationMs: number }> = [];
  let failures = 0;
  let rebuildMs = Number.NaN;
  const waiting = new Map<number, () => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const event = JSON.parse(line) as { event: string; durationMs?: number };
    if (event.event === 'history_rebuilt') rebuildMs = event.durationMs ?? Number.NaN;
    if (event.event === 'snapshot_failed') failures += 1;
    if (event.event !== 'snapshot_published') return;
    published.push({ durationMs: event.durationMs ?? Number.NaN });
    waiting.get(published.length)?.();
  });
  const publishedCount = (count: number, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      if (published.length >= count) return resolve();
      const timer = setTimeout(() => reject(new Error(`worker published ${published.length} of ${count} snapshots in time (${failures} failed)\n${stderr}`)), timeoutMs);
      void exited.then((code) => reject(new Error(`worker exited with ${code} after ${published.length} snapshots\n${stderr}`)));
      waiting.set(count, () => {
        clearTimeout(timer);
        resolve();
      });
    });

  try {
    await publishedCount(1, 10 * 60_000);
    // Read at once: the next tick starts on the next second, and takes milliseconds to start reading.
    const [startupRows, first] = await Promise.all([stats.statements(), sample(child.pid!)]);
    options.log(`worker: first snapshot after a ${rebuildMs} ms history rebuild; warming up`);
    await publishedCount(1 + options.warmup, 60_000 + options.warmup * 5_000);
    await stats.reset();
    const countedFrom = new Date();
    const firstCounted = published.length;
    const before = await sample(child.pid!);
    await publishedCount(firstCounted + options.ticks, 60_000 + options.ticks * 5_000);
    const [rows, last] = await Promise.all([stats.statements(), sample(child.pid!)]);
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
    child.kill('SIGTERM');
    const exitCode = await exited;
    return {
      ticks,
      failures,
      buffersPerTick: sum(rows, 'blocks') / ticks,
      dbMsPerTick: sum(rows, 'ms') / ticks,
      workerMs: summarize(published.slice(firstCounted, firstCounted + options.ticks).map((tick) => tick.durationMs)),
      statements: [...perLabel.values()].sort((a, b) => b.buffersPerTick - a.buffersPerTick),
      startup: {
        rebuildMs,
        firstSnapshotMs: published[0]!.durationMs,
        buffers: sum(startupRows, 'blocks'),
        dbMs: sum(startupRows, 'ms'),
        statements: sum(startupRows, 'calls'),
      },
      countedFrom,
      countedTo,
      footprint: {
        peakRssMiB: last.peakRssKiB / 1024,
        startupCpuMs: first.cpuMs,
        steadyCpuPerSnapshotMs: (last.cpuMs - before.cpuMs) / options.ticks,
        snapshots: published.length,
        exitCode,
      },
      snapshotJson: await readFile(destination, 'utf8'),
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(folder, { recursive: true, force: true });
  }
}
