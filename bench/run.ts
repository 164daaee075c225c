// `npm run bench`: what the worker costs the database it reads, at three sizes and both run-ledger
// generations, with the shapes a deployment has after a year (bench/seed.ts): the scheduled tick in
// steady state (the real worker, pg_stat_statements), its start-up rebuild of 90 days, one read of a
// tick's facts with its plans, the previous release's query shape and a naive reading on the same
// databases; the worker's footprint on its host at the middle size (peak memory at the default
// schedule and at one a second, file store and S3, and a soak); the built page's weight and
// performance (bench/run-page.ts runs that part alone, as `npm run bench:page`). Prints the
// tables and writes them to BENCHMARKS.md (BENCH_QUICK=1: small sizes, a shorter system history,
// stdout only).
import { rm, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { applyCogniSchema, grantReader, type Ledger } from '../scripts/cogni/apply-schema.ts';
import { schemaFingerprint } from '../scripts/cogni/load.ts';
import { ledgerInUse } from '../scripts/cogni/scale-seed.ts';
import type { BenchCluster } from './cluster.ts';
import { measureFootprint, type FootprintPlan, type FootprintResult } from './footprint.ts';
import { readDeploymentMemory } from './deployment-memory.ts';
import { describeMachine } from './machine.ts';
import { measureNaive } from './naive-snapshot.ts';
import { naive, reader, seededNow, withBenchCluster } from './one-database.ts';
import { measurePagePerformance } from './page-performance.ts';
import { buildSite, weighPage } from './page-weight.ts';
import { measurePrevious } from './previous-queries.ts';
import { renderReport } from './report.ts';
import { scaleOf, seedDatabase, system, useLedger, windowPages, type Scale } from './seed.ts';
import { measureSnapshot } from './snapshot-cost.ts';
import { statStatements } from './stat-statements.ts';
import type { Report, SizeResult } from './tables.ts';
import type { WorkerKit } from './worker-process.ts';
import { measureWorkerTicks } from './worker-ticks.ts';

const quick = process.env.BENCH_QUICK === '1';
// A quick run keeps the shapes, with a month of the per-minute charter instead of a year.
const quickSystem = { heartbeat: { days: 30, charged: true }, treasury: { succeededDays: 10, failingDays: 10 } };
// BENCH_SIZES=10k,1M (other tenants' rows per big table, k or M) runs those sizes instead: at least two,
// the largest compared with the one below it, the footprint at the second.
const rowsOf = (label: string) => Number(/^(\d+)(k|M)$/.exec(label)?.[1] ?? Number.NaN) * (label.endsWith('M') ? 1_000_000 : 1_000);
const labels = process.env.BENCH_SIZES?.split(',') ?? (quick ? ['10k', '300k', '1M'] : ['10k', '1M', '10M']);
if (labels.length < 2 || labels.some((label) => !Number.isFinite(rowsOf(label)))) throw new Error(`BENCH_SIZES: two or more sizes like 10k,1M, not ${process.env.BENCH_SIZES}`);
const sizes: Scale[] = labels.map((label) => scaleOf(label, rowsOf(label), quick ? quickSystem : undefined));
const ledgers: Ledger[] = ['graph_runs', 'schedule_runs'];
// One read takes the window's usage whole (~9,000 receipts with their details): 40 timed reads keep a size under a few minutes.
const reps = { snapshot: 40, warmup: 5, usage: 20, naive: 20, naiveBudgetMs: 6_000, ticks: quick ? 10 : 15, tickWarmup: 3, previous: 8, previousBudgetMs: 8_000 };
// The default schedule's runs: the start-up and this many ticks on the minute (the soak, with S3, one more).
const footprintPlan: FootprintPlan = quick
  ? { defaultTicks: 2, soakTicks: 2, everySecondSeconds: 30, scrapeMs: 10_000 }
  : { defaultTicks: 2, soakTicks: 3, everySecondSeconds: 60, scrapeMs: 15_000 };

const started = performance.now();
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

const saveJson = async (value: unknown) => {
  if (process.env.BENCH_RESULTS_JSON) await writeFile(process.env.BENCH_RESULTS_JSON, JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
};

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

/** Rows of each big table, and the levels of the ledger's (schedule_id, scheduled_for) index (pageinspect, off public). */
async function describeTables(admin: pg.Client) {
  const ledger = await ledgerInUse(admin);
  const { rows } = await admin.query<{ receipts: string; runs: string; threads: string }>(
    `SELECT (SELECT count(*) FROM charge_receipts) AS receipts, (SELECT count(*) FROM ${ledger}) AS runs, (SELECT count(*) FROM ai_threads) AS threads`,
  );
  let levels: number | null = null;
  try {
    await admin.query('CREATE SCHEMA IF NOT EXISTS bench_tools');
    await admin.query('CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA bench_tools');
    const meta = await admin.query<{ level: string }>(`SELECT level FROM bench_tools.bt_metap($1)`, [`${ledger}_schedule_slot_unique`]);
    levels = Number(meta.rows[0]!.level) + 1; // the root's level, counted from the leaves at 0
  } catch {
    // pageinspect is a contrib module: without it the depth is simply not reported
  }
  return { tableRows: { receipts: Number(rows[0]!.receipts), runs: Number(rows[0]!.runs), threads: Number(rows[0]!.threads) }, slotIndexLevels: levels };
}

/** The system's runs with scheduled_for in [at - 24 h, at]: what a tick at `at` reads of the ledger. */
async function systemRunsBefore(admin: pg.Client, at: Date): Promise<number> {
  const ledger = await ledgerInUse(admin);
  const { rows } = await admin.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${ledger} r JOIN schedules s ON s.id = r.schedule_id
      WHERE s.owner_user_id = $1 AND s.temporal_schedule_id IS NOT NULL AND r.scheduled_for >= $2 AND r.scheduled_for <= $3`,
    [system.principalId, new Date(at.getTime() - 86_400_000), at],
  );
  return Number(rows[0]!.n);
}

type Context = { cluster: BenchCluster; root: pg.Client; kit: WorkerKit; references: Record<Ledger, string>; now: Date };

/** One size with one ledger in use: its shape checked and described, then every measurement of a tick on it. */
async function measureLedger(context: Context, at: { scale: Scale; ledger: Ledger; database: string; seededSeconds: number }): Promise<SizeResult> {
  const { cluster, root, kit, references, now } = context;
  const { scale, ledger, database } = at;
  const adminUrl = cluster.urlFor(database);
  const described = await withClient(adminUrl, async (admin) => {
    await useLedger(admin, ledger);
    if ((await schemaFingerprint(admin, reader.role)) !== references[ledger]) throw new Error(`${database} with ${ledger} does not have the fixture's schema`);
    return { ...(await describeTables(admin)), pages: await windowPages(admin, now) };
  });
  const readerUrl = cluster.urlFor(database, { user: reader.role, password: reader.password });
  const readerStats = statStatements(root, database, reader.role);
  log(`${scale.label} ${ledger}: one read of a tick's facts, ${reps.snapshot} times, and with and without usage, ${reps.usage} times each`);
  const design = await measureSnapshot(readerUrl, readerStats, { now, ledger, reps: reps.snapshot, warmup: reps.warmup, usageReps: reps.usage });
  log(`${scale.label} ${ledger}: the naive reading`);
  const naiveCost = await measureNaive(cluster.urlFor(database, { user: naive.role, password: naive.password }), statStatements(root, database, naive.role), {
    now, ledger, reps: reps.naive, budgetMs: reps.naiveBudgetMs, expected: design.facts,
  });
  log(`${scale.label} ${ledger}: the worker, scheduled every second`);
  const ticks = await measureWorkerTicks(kit, readerUrl, readerStats, { warmup: reps.tickWarmup, ticks: reps.ticks, log });
  const windowRuns = await withClient(adminUrl, (admin) => systemRunsBefore(admin, ticks.countedTo));
  log(`${scale.label} ${ledger}: ${Math.round(ticks.buffersPerTick)} buffers per tick; the previous release's shape`);
  const previous = await measurePrevious(readerUrl, readerStats, { reps: reps.previous, budgetMs: reps.previousBudgetMs });
  return { scale, ledger, seededSeconds: at.seededSeconds, ...described, design, naive: naiveCost, ticks, windowRuns, previous };
}

/** The built page's weight (with the last snapshot beside it) and performance. */
async function measurePage(lastSnapshot: { json: string; source: string } | undefined): Promise<Report['page']> {
  log('building the page');
  const siteDir = await buildSite();
  try {
    return {
      weight: await weighPage(siteDir, lastSnapshot),
      now: await measurePagePerformance('now', siteDir, { ready: 'ol.incidents', runs: quick ? 1 : 3, log }),
      // npm run bench:page with BENCH_PAGE_BASELINE measures an earlier commit's page beside it
      before: null,
    };
  } finally {
    await rm(siteDir, { recursive: true, force: true });
  }
}

/** Every size in turn: seeded, measured with each ledger, the footprint at the second size, dropped. */
async function measureSizes(context: Context) {
  const { cluster, root, kit, now } = context;
  const results: SizeResult[] = [];
  let footprint: FootprintResult | undefined;
  let lastSnapshot: { json: string; source: string } | undefined;

  for (const scale of sizes) {
    const database = `bench_${scale.label.toLowerCase()}`;
    await root.query(`CREATE DATABASE ${database}`);
    const adminUrl = cluster.urlFor(database);
    const seededSeconds = await withClient(adminUrl, (admin) =>
      withClient(adminUrl, async (second) => {
        log(`seeding ${scale.label}: ${scale.rowsPerTable.toLocaleString('en')} other tenants' rows per big table over ${scale.historyDays} days, the system's year`);
        const begun = performance.now();
        await seedDatabase(admin, second, { scale, now, readerRole: reader.role, naiveRole: naive.role });
        return (performance.now() - begun) / 1000;
      }),
    );
    log(`seeded ${scale.label} in ${seededSeconds.toFixed(0)} s`);
    for (const ledger of ledgers) {
      const result = await measureLedger(context, { scale, ledger, database, seededSeconds });
      results.push(result);
      if (ledger === 'graph_runs') lastSnapshot = { json: result.ticks.snapshotJson, source: `${scale.label} rows, ${ledger}` };
    }
    if (scale === sizes[1]) {
      // The host's figures at the second size (the middle of three), on graph_runs (the application's current ledger), with nothing else running.
      await withClient(adminUrl, (admin) => useLedger(admin, 'graph_runs'));
      footprint = await measureFootprint(kit, cluster.urlFor(database, { user: reader.role, password: reader.password }), {
        source: `${scale.label}, graph_runs`,
        plan: footprintPlan,
        log,
      });
    }
    await root.query(`DROP DATABASE ${database} WITH (FORCE)`);
    await saveJson({ results, footprint }); // what is measured so far survives a later failure
  }

  return { results, footprint: footprint!, lastSnapshot };
}

async function main(): Promise<void> {
  // The seeded history ends after the worker's clock for the whole run (bench/one-database.ts seededNow).
  const now = seededNow(quick ? 25 : 45);
  await withBenchCluster(log, async ({ cluster, kit, root }) => {
    const references = await referenceFingerprints(cluster, root);
    const { results, footprint, lastSnapshot } = await measureSizes({ cluster, root, kit, references, now });
    const page = await measurePage(lastSnapshot);
    const machine = await describeMachine(root);
    const input: Report = {
      command: `${process.env.BENCH_SIZES ? `BENCH_SIZES=${labels.join(',')} ` : ''}${quick ? 'BENCH_QUICK=1 ' : ''}npm run bench`,
      quick,
      date: new Date(),
      machine,
      clusterSettings: cluster.settings,
      reps,
      results,
      footprint,
      deployment: await readDeploymentMemory(),
      page,
      wallSeconds: (performance.now() - started) / 1000,
    };
    await saveJson(input); // every measurement of the run, the page and the machine's too
    if (Date.now() > now.getTime()) log(`WARNING: the run outlived the seeded history (pinned now ${now.toISOString()}): the last ticks found no new rows; pin it later`);
    const report = renderReport(input);
    process.stdout.write(report);
    if (quick) log('BENCH_QUICK: BENCHMARKS.md left as it was (it holds a full run)');
    else await writeFile(new URL('../BENCHMARKS.md', import.meta.url), report);
  });
  log('done');
}

await main();
