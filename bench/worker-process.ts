// The real worker as production runs it, for the bench: `node <workerNodeFlags> worker/main.js`
// (worker/runtime.ts), with Node's compile cache warmed first by `--version` under the same flags
// (warmCompileCache), as Dockerfile.worker does, so that no start loads TypeScript's type stripper.
// With feeds (STATUS_PAGE_URL) and a signing key (SIGNING_KEY_FILE), so every file a deployment
// publishes is written. Its log lines are followed; /proc and /metrics are read.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { workerNodeFlags } from '../worker/runtime.ts';
import { releaseOnInterrupt, temporaryFolder } from './interrupt.ts';

const workerEntry = fileURLToPath(new URL('../worker/main.js', import.meta.url));

/** Which worker a run starts, and under which Node flags: this checkout's, or a baseline's (bench/footprint-compare.ts). */
export type WorkerEntry = { main: string; flags: readonly string[] };
export const thisWorker: WorkerEntry = { main: workerEntry, flags: workerNodeFlags };

/** The bench workers' bound on one snapshot (the default is 30 s: worker/config.ts). */
export const snapshotTimeoutMs = 180_000;

/** What every bench worker shares: the warmed compile cache, and a signing key. */
export type WorkerKit = { env: Record<string, string>; close(): Promise<void> };

export async function prepareWorkerKit(): Promise<WorkerKit> {
  const { path: folder, remove } = await temporaryFolder('governance-bench-kit-');
  const cache = join(folder, 'compile-cache');
  const key = join(folder, 'signing-key.pem');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? folder,
    NODE_COMPILE_CACHE: cache,
    SIGNING_KEY_FILE: key,
    STATUS_PAGE_URL: 'https://status.example.org/',
    // The start-up (90 days read and counted, usage by day included) takes about 30 s on a loaded
    // two-core machine, past the default 30 s: every attempt would fail until one fits, and --once
    // could not finish. The steady ticks take milliseconds, far inside either bound.
    SNAPSHOT_TIMEOUT_MS: String(snapshotTimeoutMs),
  };
  try {
    await mkdir(cache);
    await writeFile(key, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await warmCompileCache(env);
    if ((await readdir(cache, { recursive: true })).length === 0) throw new Error(`worker --version left the compile cache ${cache} empty`);
  } catch (error) {
    await remove();
    throw error;
  }
  return { env, close: remove };
}

/**
 * Node's compile cache is keyed by the V8 flags that change compiled code (--max-opt,
 * --optimize-for-size; not the heap's sizes): a first start under other such flags misses it and loads
 * TypeScript's type stripper (23 to 30 MiB more at its peak, docs/measurements.md). `--version` under the
 * worker's flags and `extraFlags` fills it, as Dockerfile.worker does for the worker's own.
 */
export async function warmCompileCache(env: Record<string, string>, extraFlags: readonly string[] = [], entry = thisWorker): Promise<void> {
  const { stdout } = await promisify(execFile)(process.execPath, [...entry.flags, ...extraFlags, entry.main, '--version'], { env });
  if (!stdout.startsWith('governance-status-worker ')) throw new Error(`worker --version printed ${JSON.stringify(stdout)}`);
}

type LogEvent = { event: string; durationMs?: number; trigger?: string; error?: { message?: string; code?: string } };

export type WorkerProcess = {
  pid: number;
  /** durationMs of each published snapshot, in order */
  published: number[];
  failures: number;
  /** why ticks failed, as the worker logged it (its errors are redacted), each reason once with its count */
  failureReasons: Map<string, number>;
  rebuildMs: number;
  /** resolves once `count` snapshots are published; rejects on exit, or after timeoutMs */
  publishedCount(count: number, timeoutMs: number): Promise<void>;
  /** SIGTERM, then its exit code (SIGKILL after 20 s) */
  stop(): Promise<number | null>;
};

export function startWorker(kit: WorkerKit, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [...workerNodeFlags, workerEntry], { env: { ...kit.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const waiting = new Map<number, () => void>();
  const worker: WorkerProcess = {
    pid: child.pid!,
    published: [],
    failures: 0,
    failureReasons: new Map(),
    rebuildMs: Number.NaN,
    publishedCount: (count, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (worker.published.length >= count) return resolve();
        const timer = setTimeout(() => reject(new Error(`worker published ${worker.published.length} of ${count} snapshots in time (${worker.failures} failed)\n${stderr}`)), timeoutMs);
        void exited.then((code) => reject(new Error(`worker exited with ${code} after ${worker.published.length} snapshots\n${stderr}`)));
        waiting.set(count, () => {
          clearTimeout(timer);
          resolve();
        });
      }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  // a bench interrupted stops its workers too: one left running would go on retrying a stopped database
  void exited.then(releaseOnInterrupt(() => worker.stop()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const event = JSON.parse(line) as LogEvent;
    if (event.event === 'history_rebuilt') worker.rebuildMs = event.durationMs ?? Number.NaN;
    if (event.event === 'snapshot_failed') {
      worker.failures += 1;
      const reason = `${event.trigger ?? 'tick'}: ${event.error?.code ? `${event.error.code} ` : ''}${event.error?.message ?? 'no message'}`.slice(0, 300);
      worker.failureReasons.set(reason, (worker.failureReasons.get(reason) ?? 0) + 1);
    }
    if (event.event !== 'snapshot_published') return;
    worker.published.push(event.durationMs ?? Number.NaN);
    waiting.get(worker.published.length)?.();
  });
  return worker;
}

/** KiB, from /proc/<pid>/status: VmRSS is RssAnon (the heap and everything else allocated) + RssFile (mapped files: Node's binary, libraries) + RssShmem */
export type ProcessSample = { cpuMs: number; peakRssKiB: number; rssKiB: number; rssAnonKiB: number; rssFileKiB: number; fds: number };

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU (utime + stime), the resident high-water mark (VmHWM), resident now (VmRSS) and open descriptors, from /proc. */
export async function sampleProcess(pid: number): Promise<ProcessSample> {
  const [stat, status, fds] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8'), readdir(`/proc/${pid}/fd`)]);
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const kiB = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return {
    cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks,
    peakRssKiB: kiB('VmHWM'),
    rssKiB: kiB('VmRSS'),
    rssAnonKiB: kiB('RssAnon'),
    rssFileKiB: kiB('RssFile'),
    fds: fds.length,
  };
}

/**
 * What Node itself holds under the worker's flags, doing nothing: the floor under every figure of the
 * worker. Sampled half a second after it started.
 */
export async function bareNodeSample(): Promise<ProcessSample> {
  const child = spawn(process.execPath, [...workerNodeFlags, '-e', 'setTimeout(() => { process.stdout.write("ready\\n"); setTimeout(() => {}, 10_000); }, 500)'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`bare node exited with ${code}`)));
    });
    return await sampleProcess(child.pid!);
  } finally {
    child.kill('SIGKILL');
  }
}

/**
 * VmHWM and CPU time (user + system, every thread) of one worker process that runs to its end
 * (`--version`, `--once`) under its entry's flags (this checkout's worker and flags unless a baseline's
 * is given), then `extraFlags`, which win over them (the caller
 * warms the compile cache for those: warmCompileCache), read by a preloaded module as the process
 * exits; with its exit code and the end of its log (stdout). Killed, and failed, after 10 minutes.
 */
export async function peakOfRun(
  kit: WorkerKit,
  args: string[],
  env: Record<string, string> = {},
  extraFlags: readonly string[] = [],
  entry = thisWorker,
): Promise<{ peakKiB: number; cpuMs: number; exitCode: number; log: string }> {
  const atExit = `import { readFileSync } from 'node:fs';
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write('VmHWM ' + /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1] + ' CPU ' + Math.round((user + system) / 1000) + '\\n');
});`;
  const child = spawn(process.execPath, [...entry.flags, ...extraFlags, '--import', `data:text/javascript,${encodeURIComponent(atExit)}`, entry.main, ...args], {
    env: { ...kit.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (tail.stdout = (tail.stdout + chunk).slice(-4000)));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (tail.stderr = (tail.stderr + chunk).slice(-4000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
  // 'close', not 'exit': the line the process writes as it exits may still be in its pipe at 'exit'
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (...ended) => resolve(ended)));
  clearTimeout(timer);
  const ended = signal ? `signal ${signal}` : `exit ${code}`;
  const [, peak, cpu] = /VmHWM (\d+) CPU (\d+)/.exec(tail.stderr) ?? [];
  if (peak === undefined || cpu === undefined) throw new Error(`worker ${args.join(' ')} ${extraFlags.join(' ')} did not say its VmHWM (${ended}): ${tail.stderr}`);
  return { peakKiB: Number(peak), cpuMs: Number(cpu), exitCode: code ?? -1, log: tail.stdout };
}

/** The worker's modules loaded and nothing run: `--version` loads every module a worker may use, the S3 store's AWS SDK included. */
export async function modulesLoadedPeakKiB(kit: WorkerKit): Promise<number> {
  return (await peakOfRun(kit, ['--version'])).peakKiB;
}

/**
 * A worker's floor before its first row: `--once` against a port where no database listens, so its
 * modules load (for the destination `env` gives), its first read is refused, and it exits 1 having
 * said so; any other end (a bad setting, a crash before the read) would measure something else.
 */
export async function unreadPeakKiB(kit: WorkerKit, env: Record<string, string>, entry = thisWorker): Promise<number> {
  const run = await peakOfRun(kit, ['--once'], { ...env, DATABASE_URL: `postgres://nobody@127.0.0.1:${await freePort()}/none` }, [], entry);
  if (run.exitCode !== 1 || !run.log.includes('"event":"snapshot_failed"') || !run.log.includes('ECONNREFUSED')) {
    throw new Error(`worker --once against no database did not end on a refused read (exit ${run.exitCode}): ${run.log}`);
  }
  return run.peakKiB;
}

/** A port of 127.0.0.1 free at this moment, for a worker's HEALTH_PORT. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The worker's /metrics, unlabelled series only: name → value. */
export async function scrapeMetrics(port: number): Promise<Map<string, number>> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  const values = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)$/.exec(line);
    if (match) values.set(match[1]!, Number(match[2]));
  }
  return values;
}
