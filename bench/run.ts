// `npm run bench`: what a snapshot costs the database at three sizes and both run-ledger
// generations, against a naive reading of the same data and against one trivial round trip; the
// worker's footprint over 50 scheduled snapshots; the built page's weight and Lighthouse scores.
// Prints the tables and writes them to BENCHMARKS.md (BENCH_QUICK=1: small sizes, stdout only).
import { writeFile } from 'node:fs/promises';
import pg from 'pg';
import { applyCogniSchema, createReaderRole, grantReader, type Ledger } from '../scripts/cogni/apply-schema.ts';
import { startBenchCluster, type BenchCluster } from './cluster.ts';
import { schemaFingerprint } from '../scripts/cogni/load.ts';
import { describeMachine } from './machine.ts';
import { measureNaive } from './naive-snapshot.ts';
import { measurePage } from './page-weight.ts';
import { renderReport } from './report.ts';
import { scaleOf, seedDatabase, useLedger, windowPages } from './seed.ts';
import { measureSnapshot, statStatements } from './snapshot-cost.ts';
import type { SizeResult } from './tables.ts';
import { measureWorker, type Footprint } from './worker-footprint.ts';

const quick = process.env.BENCH_QUICK === '1';
const sizes = quick
  ? [scaleOf('10k', 10_000), scaleOf('100k', 100_000), scaleOf('300k', 300_000)]
  : [scaleOf('10k', 10_000), scaleOf('1M', 1_000_000), scaleOf('10M', 10_000_000)];
const ledgers: Ledger[] = ['graph_runs', 'schedule_runs'];
const reps = { snapshot: 500, warmup: 30, naive: 20, naiveBudgetMs: 15_000, workerSnapshots: quick ? 10 : 50 };
const reader = { role: 'governance_reader', password: `bench-${process.pid}-reader` };
const naive = { role: 'governance_naive_reader', password: `bench-${process.pid}-naive` };

const started = performance.now();
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The fixture's own schema for each ledger, fingerprinted, to hold every seeded database to. */
async function referenceFingerprints(cluster: BenchCluster, root: pg.Client): Promise<Record<Ledger, string>> {
  const result = {} as Record<Ledger, string>;
  for (const ledger of ledgers) {
    const name = `bench_reference_${ledger}`;
    await root.query(`CREATE DATABASE ${name}`);
    result[ledger] = await withClient(cluster.urlFor(name), async (client) => {
      await applyCogniSchema(client, ledger);
      await grantReader(client, { role: reader.role, ledger });
      return schemaFingerprint(client, reader.role);
    });
    await root.query(`DROP DATABASE ${name}`);
  }
  return result;
}

async function main(): Promise<void> {
  // Half past an hour, so the 24-hour windows cut the system's hourly history at the same place in
  // every run (the figures repeat), and in the past, so the worker's own clock sees all the rows.
  const hourMs = 3_600_000;
  const halfPast = Math.floor(Date.now() / hourMs) * hourMs + hourMs / 2;
  const now = new Date(halfPast <= Date.now() ? halfPast : halfPast - hourMs);
  const cluster = await startBenchCluster(log);
  const root = new pg.Client({ connectionString: cluster.adminUrl });
  root.on('error', () => {});
  try {
    await root.connect();
    await createReaderRole(root, reader);
    await createReaderRole(root, naive);
    const references = await referenceFingerprints(cluster, root);
    const results: SizeResult[] = [];
    let footprint: Footprint | undefined;
    let footprintSource = '';

    for (const [index, scale] of sizes.entries()) {
      const database = `bench_${scale.label.toLowerCase()}`;
      await root.query(`CREATE DATABASE ${database}`);
      const adminUrl = cluster.urlFor(database);
      const seededIn = await withClient(adminUrl, (admin) =>
        withClient(adminUrl, async (second) => {
          log(`seeding ${scale.label}: ${scale.rowsPerTable.toLocaleString('en')} rows per big table, ${scale.tenants} other tenants`);
          const begun = performance.now();
          await seedDatabase(admin, second, { scale, now, readerRole: reader.role, naiveRole: naive.role });
          return (performance.now() - begun) / 1000;
        }),
      );
      log(`seeded ${scale.label} in ${seededIn.toFixed(0)} s`);
      for (const ledger of ledgers) {
        const { sameSchema, pages } = await withClient(adminUrl, async (admin) => {
          await useLedger(admin, ledger);
          return { sameSchema: (await schemaFingerprint(admin, reader.role)) === references[ledger], pages: await windowPages(admin, now) };
        });
        if (!sameSchema) throw new Error(`${database} with ${ledger} does not have the fixture's schema`);
        const readerUrl = cluster.urlFor(database, { user: reader.role, password: reader.password });
        log(`measuring ${scale.label} ${ledger}`);
        const design = await measureSnapshot(readerUrl, statStatements(root, database, reader.role), {
          now, ledger, reps: reps.snapshot, warmup: reps.warmup,
        });
        log(`naive reading ${scale.label} ${ledger}`);
        const naiveCost = await measureNaive(cluster.urlFor(database, { user: naive.role, password: naive.password }), statStatements(root, database, naive.role), {
          now, ledger, reps: reps.naive, budgetMs: reps.naiveBudgetMs, expected: design.facts,
        });
        results.push({ scale, ledger, seededSeconds: seededIn, pages, design, naive: naiveCost });
        if (index === sizes.length - 1 && ledger === 'graph_runs') {
          log(`worker: ${reps.workerSnapshots} scheduled snapshots against ${scale.label} ${ledger}`);
          footprint = await measureWorker(readerUrl, reps.workerSnapshots);
          footprintSource = `${scale.label} rows, ${ledger}`;
        }
      }
      await root.query(`DROP DATABASE ${database} WITH (FORCE)`);
    }

    log('building the page');
    const page = await measurePage(log, footprint && { json: footprint.snapshotJson, source: footprintSource });
    const machine = await describeMachine(root);
    const report = renderReport({
      command: quick ? 'BENCH_QUICK=1 npm run bench' : 'npm run bench',
      date: new Date(),
      machine,
      clusterSettings: cluster.settings,
      reps,
      results,
      footprint: footprint!,
      page,
      wallSeconds: (performance.now() - started) / 1000,
    });
    process.stdout.write(report);
    if (quick) log('BENCH_QUICK: BENCHMARKS.md left as it was (it holds a full run)');
    else await writeFile(new URL('../BENCHMARKS.md', import.meta.url), report);
  } finally {
    await root.end().catch(() => {});
    await cluster.stop();
  }
  log('done');
}

await main();
