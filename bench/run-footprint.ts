// `npm run bench:footprint`: the worker's footprint alone (bench/footprint.ts), on one database of
// the full bench's shapes at one size (BENCH_FOOTPRINT_SIZE, 1M by default: the size the full run
// measures it at), without the rest of `npm run bench`. Prints the goal line and the footprint's
// section; BENCHMARKS.md is left as it is (it holds a full run). BENCH_FOOTPRINT_HOLD=1 seeds, prints
// the reader's URL and waits for SIGINT instead, for measuring workers by hand against the database.
import pg from 'pg';
import { createReaderRole } from '../scripts/cogni/apply-schema.ts';
import { startBenchCluster } from './cluster.ts';
import { readDeploymentMemory } from './deployment-memory.ts';
import { footprintGoalLine, footprintSection } from './footprint-report.ts';
import { measureFootprint, type FootprintPlan } from './footprint.ts';
import type { Report } from './tables.ts';
import { scaleOf, seedDatabase, useLedger } from './seed.ts';
import { prepareWorkerKit } from './worker-process.ts';

const label = process.env.BENCH_FOOTPRINT_SIZE ?? '1M';
const rows = Number(/^(\d+)(k|M)$/.exec(label)?.[1] ?? Number.NaN) * (label.endsWith('M') ? 1_000_000 : 1_000);
if (!Number.isFinite(rows)) throw new Error(`BENCH_FOOTPRINT_SIZE: a size like 10k or 1M, not ${label}`);
const plan: FootprintPlan = { defaultTicks: 2, soakTicks: 3, everySecondSeconds: 60, scrapeMs: 15_000 };
const reader = { role: 'governance_reader', password: `bench-${process.pid}-reader` };
const naive = { role: 'governance_naive_reader', password: `bench-${process.pid}-naive` };

const started = performance.now();
const log = (line: string) => process.stderr.write(`[footprint ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

async function main(): Promise<void> {
  // The seeded history ends after the worker's clock for the whole run, as in bench/run.ts.
  const now = new Date(Math.floor((Date.now() + 45 * 60_000) / 60_000) * 60_000 + 30_000);
  const cluster = await startBenchCluster(log);
  const kit = await prepareWorkerKit();
  const root = new pg.Client({ connectionString: cluster.adminUrl });
  try {
    await root.connect();
    await createReaderRole(root, reader);
    await createReaderRole(root, naive);
    const database = `bench_${label.toLowerCase()}`;
    await root.query(`CREATE DATABASE ${database}`);
    const admin = new pg.Client({ connectionString: cluster.urlFor(database) });
    const second = new pg.Client({ connectionString: cluster.urlFor(database) });
    await admin.connect();
    await second.connect();
    try {
      log(`seeding ${label}`);
      await seedDatabase(admin, second, { scale: scaleOf(label, rows), now, readerRole: reader.role, naiveRole: naive.role });
      await useLedger(admin, 'graph_runs');
    } finally {
      await admin.end();
      await second.end();
    }
    const readerUrl = cluster.urlFor(database, { user: reader.role, password: reader.password });
    if (process.env.BENCH_FOOTPRINT_HOLD === '1') {
      process.stdout.write(`${readerUrl}\n`);
      log('holding the database until SIGINT');
      await new Promise((resolve) => process.once('SIGINT', resolve));
      return;
    }
    const footprint = await measureFootprint(kit, readerUrl, { source: `${label}, graph_runs`, plan, log });
    // The section reads the full run's tick measurements too: here there are none, and it leaves them out.
    const report = { footprint, results: [], deployment: await readDeploymentMemory() } as unknown as Report;
    process.stdout.write(`${footprintGoalLine(footprint)}\n\n${footprintSection(report)}\n`);
  } finally {
    await root.end().catch(() => {});
    await cluster.stop();
    await kit.close();
  }
}

await main();
