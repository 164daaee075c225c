// `npm run bench:footprint`: the worker's footprint alone (bench/footprint.ts), on one database of
// the full bench's shapes at one size (BENCH_FOOTPRINT_SIZE, 1M by default: the size the full run
// measures it at), without the rest of `npm run bench`. Prints the goal line, the footprint's section
// and its paragraph of findings; BENCHMARKS.md is left as it is (it holds a full run).
// BENCH_FOOTPRINT_HOLD=1 seeds, prints the reader's URL and waits for SIGINT instead, for measuring
// workers by hand against the database. BENCH_FOOTPRINT_BASELINE=<commit> measures that commit's
// worker and today's side by side instead (bench/footprint-compare.ts), BENCH_FOOTPRINT_RUNS rounds
// (an even number, 4 by default) after a warm-up, and prints their comparison.
import { readDeploymentMemory } from './deployment-memory.ts';
import { footprintFindings, footprintGoalLine, footprintSection } from './footprint-report.ts';
import { compareFootprint, workerAt } from './footprint-compare.ts';
import { measureFootprint, type FootprintPlan } from './footprint.ts';
import type { Report } from './tables.ts';
import { sizeFrom, withSeededDatabase, type OneDatabase } from './one-database.ts';
import { withWorktree } from './worktree.ts';

const { label, rows } = sizeFrom('BENCH_FOOTPRINT_SIZE', '1M');
const baseline = process.env.BENCH_FOOTPRINT_BASELINE?.trim() || undefined;
const compareRuns = Number(process.env.BENCH_FOOTPRINT_RUNS ?? 4);
// the seeded history runs 45 minutes past its start (one-database.ts); a round takes about 35 s at 1M
const maxCompareRuns = 20;
const plan: FootprintPlan = { defaultTicks: 2, soakTicks: 3, everySecondSeconds: 60, scrapeMs: 15_000 };

const started = performance.now();
const log = (line: string) => process.stderr.write(`[footprint ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

/** The worker's footprint, or with a baseline its comparison; the database is seeded once the baseline is checked out. */
async function main(): Promise<void> {
  if (!baseline) return withSeededDatabase({ label, rows, database: `bench_${label.toLowerCase()}`, log }, footprintOrHold);
  if (process.env.BENCH_FOOTPRINT_HOLD === '1') throw new Error('BENCH_FOOTPRINT_HOLD and BENCH_FOOTPRINT_BASELINE: choose one');
  if (!Number.isInteger(compareRuns) || compareRuns < 2 || compareRuns % 2 !== 0 || compareRuns > maxCompareRuns) {
    throw new Error(`BENCH_FOOTPRINT_RUNS must be an even number of rounds from 2 to ${maxCompareRuns} (each side goes first in half of them); it is ${JSON.stringify(process.env.BENCH_FOOTPRINT_RUNS)}`);
  }
  await withWorktree(baseline, log, async (worktree, before) => {
    const entry = await workerAt(worktree);
    await withSeededDatabase({ label, rows, database: `bench_${label.toLowerCase()}`, log }, async ({ kit, readerUrl }) => {
      process.stdout.write(`${await compareFootprint(kit, readerUrl, { label: before, entry }, { runs: compareRuns, log })}\n`);
    });
  });
}

async function footprintOrHold({ kit, readerUrl }: OneDatabase): Promise<void> {
  if (process.env.BENCH_FOOTPRINT_HOLD === '1') {
    process.stdout.write(`${readerUrl}\n`);
    log('holding the database until SIGINT');
    await new Promise((resolve) => process.once('SIGINT', resolve));
    return;
  }
  const footprint = await measureFootprint(kit, readerUrl, { source: `${label}, graph_runs`, plan, log });
  // The section reads the full run's tick measurements too: here there are none, and it leaves them out.
  const report = { footprint, results: [], deployment: await readDeploymentMemory() } as unknown as Report;
  process.stdout.write(`${footprintGoalLine(footprint)}\n\n${footprintSection(report)}\n\n${footprintFindings(report)}\n`);
}

await main();
