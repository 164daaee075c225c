// The worker's footprint on its host, as production runs it (bench/worker-process.ts): peak resident
// memory (VmHWM) at the default schedule (the start-up rebuild of 90 days, then ticks on the minute)
// and at one snapshot a second, each publishing to the file store and to S3 (s3rver, bench/s3.ts),
// on one database. The two runs of a schedule go side by side against that database (each store has
// its own leader lock, so both lead); the two schedules one after the other. The default schedule
// with S3 is the soak: open descriptors at its start and end, and the event loop's delay from the
// worker's own /metrics (prom-client), scraped as Prometheus would, every scrapeMs.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { snapshotFileName } from '../shared/contract.ts';
import { temporaryFolder } from './interrupt.ts';
import { startBenchBucket } from './s3.ts';
import { bareNodeSample, freePort, modulesLoadedPeakKiB, peakOfRun, sampleProcess, scrapeMetrics, startWorker, unreadPeakKiB, warmCompileCache, type ProcessSample, type WorkerKit } from './worker-process.ts';

export type Store = 'file' | 's3';
export type FootprintPlan = { defaultTicks: number; soakTicks: number; everySecondSeconds: number; scrapeMs: number };

/** One scrape's window of the event loop (prom-client's histogram is reset by each scrape), in seconds. */
type LoopWindow = { p99: number; max: number };

export type FootprintRun = {
  store: Store;
  cron: string;
  /** the soak: the default schedule with S3 */
  soak: boolean;
  wallSeconds: number;
  snapshots: number;
  failures: number;
  /** each reason a tick failed for, as the worker logged it, with how often */
  failureReasons: Array<{ reason: string; count: number }>;
  /** VmHWM when the first snapshot was published (start-up and the history rebuild), then at the end */
  startupPeakRssMiB: number;
  peakRssMiB: number;
  /** VmRSS just before SIGTERM, its anonymous and file-backed parts, and V8's heap then (/metrics) */
  endRssMiB: number;
  end: { anonMiB: number; fileMiB: number; heapUsedMiB: number; heapTotalMiB: number; externalMiB: number };
  fds: { start: number; end: number };
  /** the first scrape's window covers the start-up; the others the ticks after it */
  eventLoop: { startup: LoopWindow; steady: LoopWindow; scrapes: number };
  /** CPU to the first snapshot, then per snapshot after it */
  startupCpuMs: number;
  cpuPerSnapshotMs: number;
  exitCode: number | null;
};

export type FootprintResult = {
  source: string;
  plan: FootprintPlan;
  runs: FootprintRun[];
  /** Node under the worker's flags running nothing: the floor of every figure */
  bareNode: { rssMiB: number; anonMiB: number; fileMiB: number };
  /** VmHWM of `worker/main.js --version`: every module a worker may load (the AWS SDK too), nothing run */
  modulesLoadedMiB: number;
  /** VmHWM of a file-destination worker whose database refuses it: its modules loaded, no row read */
  fileWorkerUnreadMiB: number;
  /** VmHWM of `worker/main.js --once` (the start-up rebuild, one snapshot published, exit) per store */
  once: OnceRun[];
  /** the same `--once` under the flags that trade the most CPU for memory (leanestNodeFlags) */
  leanest: { flags: readonly string[]; once: OnceRun[] };
};

export type OnceRun = { store: Store; peakRssMiB: number; cpuMs: number; exitCode: number };

/**
 * The leanest flags tried (docs/measurements.md, "Where the memory goes"), each of which lowered the peak at a
 * CPU cost: no compiler above the interpreter, V8's memory-saving mode, and a 32 MiB bound on the old
 * generation (the start-up's live heap is 21 to 25 MiB, so a larger history could run out of it). Not
 * the worker's flags: measured beside them, to show how far flags alone go.
 */
export const leanestNodeFlags = ['--max-opt=0', '--optimize-for-size', '--max-old-space-size=32'] as const;

const mib = (kiB: number) => kiB / 1024;
const loopOf = (metrics: Map<string, number>): LoopWindow => ({
  p99: metrics.get('nodejs_eventloop_lag_p99_seconds') ?? Number.NaN,
  max: metrics.get('nodejs_eventloop_lag_max_seconds') ?? Number.NaN,
});
const worst = (windows: LoopWindow[]): LoopWindow => ({
  p99: Math.max(...windows.map((window) => window.p99)),
  max: Math.max(...windows.map((window) => window.max)),
});

const memoryAtEnd = (last: ProcessSample, metrics: Map<string, number>) => ({
  anonMiB: mib(last.rssAnonKiB),
  fileMiB: mib(last.rssFileKiB),
  heapUsedMiB: (metrics.get('nodejs_heap_size_used_bytes') ?? Number.NaN) / 2 ** 20,
  heapTotalMiB: (metrics.get('nodejs_heap_size_total_bytes') ?? Number.NaN) / 2 ** 20,
  externalMiB: (metrics.get('nodejs_external_memory_bytes') ?? Number.NaN) / 2 ** 20,
});

type RunSpec = { store: Store; cron: string; soak: boolean; done: (published: number, sinceFirstMs: number) => boolean };

async function runOne(kit: WorkerKit, readerUrl: string, storeEnv: Record<Store, (name: string) => Record<string, string>>, spec: RunSpec, scrapeMs: number): Promise<FootprintRun> {
  const port = await freePort();
  const started = performance.now();
  const name = `${spec.store}-${spec.cron.split(' ').length === 6 ? 'second' : 'minute'}`;
  const worker = startWorker(kit, { DATABASE_URL: readerUrl, SNAPSHOT_CRON: spec.cron, HEALTH_PORT: String(port), ...storeEnv[spec.store](name) });
  try {
    await worker.publishedCount(1, 10 * 60_000);
    const firstAt = performance.now();
    const first = await sampleProcess(worker.pid);
    const windows = [loopOf(await scrapeMetrics(port))];
    while (!spec.done(worker.published.length, performance.now() - firstAt)) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(scrapeMs, 1_000)));
      if (performance.now() - firstAt >= windows.length * scrapeMs) windows.push(loopOf(await scrapeMetrics(port)));
      if (performance.now() - firstAt > 15 * 60_000) throw new Error(`${name}: not done after 15 minutes (${worker.published.length} published, ${worker.failures} failed)`);
    }
    const metrics = await scrapeMetrics(port);
    windows.push(loopOf(metrics));
    const last = await sampleProcess(worker.pid);
    const snapshots = worker.published.length;
    const exitCode = await worker.stop();
    return {
      store: spec.store,
      cron: spec.cron,
      soak: spec.soak,
      wallSeconds: (performance.now() - started) / 1000,
      snapshots,
      failures: worker.failures,
      failureReasons: [...worker.failureReasons].map(([reason, times]) => ({ reason, count: times })),
      startupPeakRssMiB: mib(first.peakRssKiB),
      peakRssMiB: mib(last.peakRssKiB),
      endRssMiB: mib(last.rssKiB),
      end: memoryAtEnd(last, metrics),
      fds: { start: first.fds, end: last.fds },
      eventLoop: { startup: windows[0]!, steady: worst(windows.slice(1)), scrapes: windows.length },
      startupCpuMs: first.cpuMs,
      cpuPerSnapshotMs: (last.cpuMs - first.cpuMs) / Math.max(1, snapshots - 1),
      exitCode,
    };
  } finally {
    await worker.stop();
  }
}

export async function measureFootprint(kit: WorkerKit, readerUrl: string, options: { source: string; plan: FootprintPlan; log: (line: string) => void }): Promise<FootprintResult> {
  const { plan, log } = options;
  const { path: folder, remove } = await temporaryFolder('governance-bench-footprint-');
  const bucket = await startBenchBucket();
  // Each run publishes under a name of its own: its own folder, or its own prefix in the bucket.
  const storeEnv: Record<Store, (name: string) => Record<string, string>> = {
    file: (name) => ({ SNAPSHOT_DESTINATION: pathToFileURL(join(folder, name, snapshotFileName)).href }),
    s3: (name) => ({ SNAPSHOT_DESTINATION: `s3://${bucket.bucket}/${name}/${snapshotFileName}`, ...bucket.env }),
  };
  // Both runs of a pair finish (or fail) before the bucket closes under them.
  const pair = async (specs: RunSpec[]) => {
    const settled = await Promise.allSettled(specs.map((spec) => runOne(kit, readerUrl, storeEnv, spec, plan.scrapeMs)));
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((outcome) => (outcome as PromiseFulfilledResult<FootprintRun>).value);
  };
  try {
    log('footprint: --once, file store then S3, under the worker\'s flags and then the leanest');
    // Each run publishes to a destination of its own: one that found the archive written would do less.
    // One run per store and flag set, the worker's flags first.
    const onceRuns = async (name: string, extraFlags: readonly string[]) => {
      if (extraFlags.length > 0) await warmCompileCache(kit.env, extraFlags);
      const runs: OnceRun[] = [];
      for (const store of ['file', 's3'] as const) {
        const run = await peakOfRun(kit, ['--once'], { DATABASE_URL: readerUrl, ...storeEnv[store](`${store}-${name}`) }, extraFlags);
        if (run.exitCode !== 0) throw new Error(`worker --once with the ${store} store${extraFlags.length > 0 ? ` and ${extraFlags.join(' ')}` : ''} exited with ${run.exitCode}`);
        runs.push({ store, peakRssMiB: mib(run.peakKiB), cpuMs: run.cpuMs, exitCode: run.exitCode });
      }
      return runs;
    };
    const once = await onceRuns('once', []);
    const leanest = { flags: leanestNodeFlags, once: await onceRuns('once-leanest', leanestNodeFlags) };
    const minute = '* * * * *';
    const second = '* * * * * *';
    log(`footprint: the default schedule, file store (${plan.defaultTicks} ticks) and S3 (the soak, ${plan.soakTicks} ticks) side by side`);
    const byMinute = await pair([
      { store: 'file', cron: minute, soak: false, done: (published) => published >= 1 + plan.defaultTicks },
      { store: 's3', cron: minute, soak: true, done: (published) => published >= 1 + plan.soakTicks },
    ]);
    log(`footprint: one snapshot a second for ${plan.everySecondSeconds} s, file store and S3 side by side`);
    const bySecond = await pair(
      (['file', 's3'] as const).map((store) => ({ store, cron: second, soak: false, done: (_published: number, sinceFirstMs: number) => sinceFirstMs >= plan.everySecondSeconds * 1000 })),
    );
    const runs = [...byMinute, ...bySecond];
    const bare = await bareNodeSample();
    const modulesLoadedMiB = mib(await modulesLoadedPeakKiB(kit));
    const fileWorkerUnreadMiB = mib(await unreadPeakKiB(kit, storeEnv.file('file-unread')));
    log(`footprint: peak RSS ${runs.map((entry) => `${entry.store} ${entry.cron === minute ? 'minute' : 'second'} ${entry.peakRssMiB.toFixed(1)} MiB`).join(', ')}`);
    return { source: options.source, plan, runs, once, leanest, modulesLoadedMiB, fileWorkerUnreadMiB, bareNode: { rssMiB: mib(bare.rssKiB), anonMiB: mib(bare.rssAnonKiB), fileMiB: mib(bare.rssFileKiB) } };
  } finally {
    await bucket.close();
    await remove();
  }
}
