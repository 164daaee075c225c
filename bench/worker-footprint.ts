// The worker as it runs in production: `node worker/main.ts` scheduled (here every second), as the
// reader role, publishing to a file. Its memory high-water mark and CPU time come from /proc
// while it runs, at its first and at its last published snapshot; then SIGTERM stops it.
import { spawn, execFileSync } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { snapshotFileName } from '../shared/contract.ts';

const workerMain = fileURLToPath(new URL('../worker/main.ts', import.meta.url));

export type Footprint = {
  snapshots: number;
  failures: number;
  wallSeconds: number;
  /** VmHWM: the most resident memory the process ever had */
  peakRssMiB: number;
  /** utime + stime up to the first published snapshot: start-up and one snapshot */
  startupCpuMs: number;
  /** total CPU at the last snapshot divided by the number of snapshots (start-up included) */
  cpuPerSnapshotMs: number;
  /** (CPU at the last − CPU at the first) / (snapshots − 1): the steady state */
  steadyCpuPerSnapshotMs: number;
  exitCode: number | null;
  /** the last snapshot it published */
  snapshotJson: string;
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

export async function measureWorker(readerUrl: string, snapshots: number): Promise<Footprint> {
  const folder = await mkdtemp(join(tmpdir(), 'governance-bench-worker-'));
  const destination = join(folder, snapshotFileName);
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
  const started = performance.now();
  let published = 0;
  let failures = 0;
  let first: Sample | undefined;
  let last: Sample | undefined;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker published ${published} of ${snapshots} snapshots in time\n${stderr}`)), (snapshots + 60) * 1000);
      void exited.then((code) => reject(new Error(`worker exited with ${code} after ${published} snapshots\n${stderr}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.includes('"snapshot_failed"')) failures += 1;
        if (!line.includes('"snapshot_published"') || published >= snapshots) return;
        published += 1;
        const index = published;
        // Sampled while the process is alive; the last sample is awaited before stopping it.
        void sample(child.pid!).then((taken) => {
          if (index === 1) first = taken;
          if (index === snapshots) {
            last = taken;
            clearTimeout(timer);
            resolve();
          }
        }, reject);
      });
    });
    const wallSeconds = (performance.now() - started) / 1000;
    child.kill('SIGTERM');
    const exitCode = await exited;
    return {
      snapshots,
      failures,
      wallSeconds,
      peakRssMiB: last!.peakRssKiB / 1024,
      startupCpuMs: first!.cpuMs,
      cpuPerSnapshotMs: last!.cpuMs / snapshots,
      steadyCpuPerSnapshotMs: (last!.cpuMs - first!.cpuMs) / (snapshots - 1),
      exitCode,
      snapshotJson: await readFile(destination, 'utf8'),
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(folder, { recursive: true, force: true });
  }
}
