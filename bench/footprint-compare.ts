// BENCH_FOOTPRINT_BASELINE=<commit> npm run bench:footprint: the worker's memory now and at an earlier
// commit, side by side on one seeded database, so that a change which raises it shows at once (the
// full footprint takes about 8 minutes, and compares with nothing). Two measures, each run `runs`
// times per side, the sides taking turns at going first: a `--once` with the file store (the start-up's
// 90-day rebuild and one snapshot: what sets the peak at the default schedule, BENCHMARKS.md) and the
// floor before a row is read (its database refusing it). Each side runs under its own commit's flags
// (worker/runtime.ts; Node's defaults where a commit has none) and on today's node_modules.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { snapshotFileName } from '../shared/contract.ts';
import { temporaryFolder } from './interrupt.ts';
import { count, median, table } from './tables.ts';
import { peakOfRun, thisWorker, unreadPeakKiB, warmCompileCache, type WorkerEntry, type WorkerKit } from './worker-process.ts';

type Side = { label: string; entry: WorkerEntry; once: number[]; onceCpuMs: number[]; unread: number[] };

/** The worker of a checkout at `worktree`, with the flags its worker/runtime.ts gives (none before that file). */
export async function workerAt(worktree: string): Promise<WorkerEntry> {
  const runtime = join(worktree, 'worker', 'runtime.ts');
  const flags = existsSync(runtime) ? ((await import(pathToFileURL(runtime).href)) as { workerNodeFlags?: readonly string[] }).workerNodeFlags : undefined;
  return { main: join(worktree, 'worker', 'main.js'), flags: flags ?? [] };
}

export async function compareFootprint(
  kit: WorkerKit,
  readerUrl: string,
  baseline: { label: string; entry: WorkerEntry },
  options: { runs: number; log: (line: string) => void },
): Promise<string> {
  const sides: Side[] = [
    { ...baseline, once: [], onceCpuMs: [], unread: [] },
    { label: 'now', entry: thisWorker, once: [], onceCpuMs: [], unread: [] },
  ];
  const { path: folder, remove } = await temporaryFolder('governance-bench-compare-');
  try {
    for (const side of sides) await warmCompileCache(kit.env, [], side.entry);
    for (let round = 0; round < options.runs; round += 1) {
      for (const [at, side] of (round % 2 === 0 ? sides : [...sides].reverse()).entries()) {
        // a destination of its own each time: one that found the archive written would do less
        const store = (name: string) => ({ SNAPSHOT_DESTINATION: pathToFileURL(join(folder, `${round}-${at}-${name}`, snapshotFileName)).href });
        const run = await peakOfRun(kit, ['--once'], { DATABASE_URL: readerUrl, ...store('once') }, [], side.entry);
        if (run.exitCode !== 0) throw new Error(`${side.label}: worker --once exited with ${run.exitCode}: ${run.log}`);
        side.once.push(run.peakKiB / 1024);
        side.onceCpuMs.push(run.cpuMs);
        side.unread.push((await unreadPeakKiB(kit, store('unread'), side.entry)) / 1024);
        options.log(`compare: round ${round + 1}, ${side.label}: --once ${side.once.at(-1)!.toFixed(1)} MiB, refused ${side.unread.at(-1)!.toFixed(1)} MiB`);
      }
    }
  } finally {
    await remove();
  }
  return comparison(sides as [Side, Side], options.runs);
}

function comparison([before, now]: [Side, Side], runs: number): string {
  const mib = (values: number[]) => `${median(values).toFixed(1)} MiB (${values.map((value) => value.toFixed(1)).join(', ')})`;
  const cpu = (values: number[]) => `${count(median(values))} ms (${values.map(count).join(', ')})`;
  const ratio = (pick: (side: Side) => number[]) => (median(pick(now)) / median(pick(before))).toFixed(3);
  return `The worker's memory, ${before.label} and now side by side (medians of ${runs}, each run in brackets; VmHWM, CPU as the process exits):

${table(
  ['measure', before.label, 'now', 'now / before'],
  [
    ['`--once`, file store: peak RSS', mib(before.once), mib(now.once), ratio((side) => side.once)],
    ['`--once`, file store: CPU', cpu(before.onceCpuMs), cpu(now.onceCpuMs), ratio((side) => side.onceCpuMs)],
    ['database refused, before a row: peak RSS', mib(before.unread), mib(now.unread), ratio((side) => side.unread)],
  ],
)}

Flags: ${before.label} \`${before.entry.flags.join(' ') || "Node's defaults"}\`, now \`${now.entry.flags.join(' ')}\`.
`;
}
