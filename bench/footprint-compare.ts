// BENCH_FOOTPRINT_BASELINE=<commit> npm run bench:footprint: the worker's memory now and at an earlier
// commit, side by side on one seeded database, so that a change which raises it shows at once (the
// full footprint takes about 8 minutes, and compares with nothing). Two measures: a `--once` with the
// file store (the start-up's 90-day rebuild and one snapshot: what sets the peak at the default
// schedule, BENCHMARKS.md) and the floor before a row is read (its database refusing it). First one
// round per side that is not counted (the machine's caches and the database's buffers warm up), then
// `runs` rounds, an even number, each side going first in half of them. Each side runs under its own
// commit's flags (worker/runtime.ts) and on today's node_modules.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { snapshotFileName } from '../shared/contract.ts';
import { temporaryFolder } from './interrupt.ts';
import { count, median, mib, table } from './tables.ts';
import { peakOfRun, thisWorker, unreadPeakKiB, warmCompileCache, type WorkerEntry, type WorkerKit } from './worker-process.ts';

type Side = { label: string; entry: WorkerEntry; once: number[]; onceCpuMs: number[]; unread: number[] };

/** The worker of a checkout at `worktree` and its flags; a commit before worker/runtime.ts (8f68608) cannot be compared so. */
export async function workerAt(worktree: string): Promise<WorkerEntry> {
  const main = join(worktree, 'worker', 'main.js');
  const runtime = join(worktree, 'worker', 'runtime.ts');
  const flags = existsSync(runtime) ? ((await import(pathToFileURL(runtime).href)) as { workerNodeFlags?: readonly string[] }).workerNodeFlags : undefined;
  if (!existsSync(main) || !Array.isArray(flags)) {
    throw new Error(`the baseline has no worker/main.js or no workerNodeFlags in worker/runtime.ts (both there since 8f68608): its worker cannot be started as production starts it`);
  }
  return { main, flags };
}

export async function compareFootprint(
  kit: WorkerKit,
  readerUrl: string,
  baseline: { label: string; entry: WorkerEntry },
  options: { runs: number; log: (line: string) => void },
): Promise<string> {
  const sides: [Side, Side] = [
    { ...baseline, once: [], onceCpuMs: [], unread: [] },
    { label: 'now', entry: thisWorker, once: [], onceCpuMs: [], unread: [] },
  ];
  const { path: folder, remove } = await temporaryFolder('governance-bench-compare-');
  try {
    for (const side of sides) await warmCompileCache(kit.env, [], side.entry).catch(failedOn(side));
    for (let round = 0; round <= options.runs; round += 1) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        // a destination of its own each time: one that found the archive written would do less
        const store = (name: string) => ({ SNAPSHOT_DESTINATION: pathToFileURL(join(folder, `${round}-${side === sides[0] ? 'before' : 'now'}-${name}`, snapshotFileName)).href });
        const once = await peakOfRun(kit, ['--once'], { DATABASE_URL: readerUrl, ...store('once') }, [], side.entry).catch(failedOn(side));
        if (once.exitCode !== 0) throw new Error(`${side.label}: worker --once exited with ${once.exitCode}: ${once.log}`);
        const unread = await unreadPeakKiB(kit, store('unread'), side.entry).catch(failedOn(side));
        options.log(`compare: ${round === 0 ? 'warm-up (not counted)' : `round ${round} of ${options.runs}`}, ${side.label}: --once ${mib(once.peakKiB / 1024)}, refused ${mib(unread / 1024)}`);
        if (round === 0) continue;
        side.once.push(once.peakKiB / 1024);
        side.onceCpuMs.push(once.cpuMs);
        side.unread.push(unread / 1024);
      }
    }
  } finally {
    await remove();
  }
  return comparison(sides, options.runs);
}

const failedOn = (side: Side) => (error: unknown) => {
  throw new Error(`${side.label}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
};

function comparison([before, now]: [Side, Side], runs: number): string {
  const sizes = (values: number[]) => `${mib(median(values))} (${values.map((value) => value.toFixed(1)).join(', ')})`;
  const cpu = (values: number[]) => `${count(median(values))} ms (${values.map(count).join(', ')})`;
  const ratio = (pick: (side: Side) => number[]) => (median(pick(now)) / median(pick(before))).toFixed(3);
  return `The worker's memory, ${before.label} and now side by side (medians of ${runs} after a warm-up, each run in brackets in the order run; VmHWM, and CPU as the process exits):

${table(
  ['measure', before.label, 'now', 'now / before'],
  [
    ['`--once`, file store: peak RSS', sizes(before.once), sizes(now.once), ratio((side) => side.once)],
    ['`--once`, file store: CPU', cpu(before.onceCpuMs), cpu(now.onceCpuMs), ratio((side) => side.onceCpuMs)],
    ['database refused, before a row: peak RSS', sizes(before.unread), sizes(now.unread), ratio((side) => side.unread)],
  ],
)}

Flags: ${before.label} \`${before.entry.flags.join(' ')}\`, now \`${now.entry.flags.join(' ')}\`.
`;
}
