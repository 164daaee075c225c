// `npm start`: the whole product on this machine with nothing configured. An embedded PostgreSQL
// with Cogni's schema and demo data, a simulator that keeps it moving, the real worker (a child
// process, as the least-privilege reader role) publishing into the served folder, signed with the
// demo's own key (scripts/demo-signing-key.ts), and the built site, which pins that key, on
// http://127.0.0.1:4321. SIGINT/SIGTERM stop everything in reverse order and exit 0.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import pg from 'pg';
import { startStaticServer } from './static-server.ts';
import { snapshotFileName } from '../shared/contract.ts';
import { describeDatabaseUrl } from '../worker/config.ts';
import { createLogger } from '../worker/logger.ts';
import { stopAll, type Part } from '../worker/parts.ts';
import { readDemoConfig, repoRoot, type DemoConfig } from './demo-config.ts';
import { seedDemoData } from './demo-data.ts';
import { removeDemoNote, writeDemoNote } from './demo-note.ts';
import { prepareDemoSigningKey } from './demo-signing-key.ts';
import { startDemoDatabase } from './embedded-database.ts';
import { prepareServedSite } from './served-site.ts';
import { startSimulator } from './simulator.ts';
import { spawnWorker, type WorkerChild } from './worker-child.ts';

const exitConfigError = 78; // EX_CONFIG, as the worker
const firstPublishTimeoutMs = 30_000;

const logger = createLogger();
/** What has been started, in order; shutdown stops it in reverse. */
const running: Part[] = [];
let shuttingDown = false;
let interrupt: () => void = () => {};
const interrupted = new Promise<void>((resolve) => (interrupt = resolve));

class Interrupted extends Error {}

/** Between two steps: a signal during start-up stops it here, with everything started so far tracked. */
function checkpoint(): void {
  if (shuttingDown) throw new Interrupted('start-up interrupted');
}

async function startAll(config: DemoConfig): Promise<void> {
  // One now for the demo data and the note about its afternoon without credits.
  const now = new Date();
  await (config.databaseUrl === undefined ? writeDemoNote(config.notesDir, now) : removeDemoNote(config.notesDir));
  const signing = await prepareDemoSigningKey(config.dataDir, process.env.SIGNING_KEY_FILE?.trim() || undefined, logger);
  await prepareServedSite({ repoRoot, siteDir: config.siteDir, servedDir: config.servedDir, notesDir: config.notesDir, pinnedKeyFile: signing.publicKeyFile, logger });
  checkpoint();

  const source = config.databaseUrl === undefined ? await startDemoSource(config, now) : undefined;
  const databaseUrl = source?.readerUrl ?? config.databaseUrl!;
  const database = source?.database ?? `${describeDatabaseUrl(databaseUrl)} from DATABASE_URL: no embedded PostgreSQL, no demo data, no simulator`;
  checkpoint();

  // The page's server first: the feeds the worker writes link to the page, so it needs the URL.
  const server = await startStaticServer({ root: config.servedDir, port: config.port, host: config.host });
  running.push({ name: 'server', stop: server.close });
  checkpoint();

  const destination = config.snapshotDestination ?? pathToFileURL(join(config.servedDir, snapshotFileName)).href;
  const worker = spawnWorker({
    ...process.env,
    DATABASE_URL: databaseUrl,
    SNAPSHOT_DESTINATION: destination,
    SNAPSHOT_CRON: config.snapshotCron,
    SIGNING_KEY_FILE: signing.keyFile,
    STATUS_PAGE_URL: process.env.STATUS_PAGE_URL?.trim() || `${server.url}/`,
  });
  running.push({ name: 'worker', stop: () => worker.stop() });
  watchWorker(worker);
  const published = await Promise.race([
    worker.firstPublish.then(() => true),
    interrupted.then(() => false),
    new Promise<false>((resolve) => setTimeout(resolve, firstPublishTimeoutMs, false).unref()),
  ]);
  checkpoint();
  if (!published) logger.warn('snapshot_not_published_yet', { waitedMs: firstPublishTimeoutMs, hint: "see the worker's snapshot_failed lines" });

  logger.info('demo_ready', {
    url: server.url,
    snapshot: `${server.url}/${snapshotFileName}`,
    database,
    // The reader's URL in full (its password is the fixed demo one): the README's worker commands run against it.
    ...(source && {
      readerDatabaseUrl: source.readerUrl,
      readerDatabaseUrlFile: source.readerUrlFile,
      tryIt: `DATABASE_URL=$(cat ${source.readerUrlFile}) npm run -s worker -- --once --stdout`,
    }),
    worker: { pid: worker.pid, cron: config.snapshotCron, destination, health: healthUrl() },
    served: config.servedDir,
    // what anyone can run against the served folder: every archived day's signature and link, and the snapshot's
    verify: `npx governance-status-verify ${config.servedDir} --key ${signing.publicKeyFile}`,
    ...(config.snapshotDestination && {
      note: `the worker publishes to SNAPSHOT_DESTINATION, not into the served folder: the page at ${server.url} shows that file only if it is the same one`,
    }),
    message: `open ${server.url} - Ctrl-C stops everything`,
  });
}

/** The embedded PostgreSQL with demo data and the simulator, each tracked for the shutdown. */
async function startDemoSource(config: DemoConfig, now: Date): Promise<{ readerUrl: string; readerUrlFile: string; database: string }> {
  const embedded = await startDemoDatabase({ dataDir: config.dataDir, ledger: 'graph_runs', logger });
  running.push({ name: 'postgres', stop: embedded.stop });
  const pool = new pg.Pool({ connectionString: embedded.adminUrl, max: 2, application_name: 'governance-demo-simulator' });
  let poolEnded = false;
  // pool.end() resolves before its sockets have closed: PostgreSQL's shutdown then cuts them, which is no news.
  pool.on('error', (error) => poolEnded || logger.warn('simulator_connection_lost', { error }));
  running.push({ name: 'simulator pool', stop: () => ((poolEnded = true), pool.end()) });
  const tenant = await seedDemoData(pool, now);
  logger.info('demo_data_seeded', { database: describeDatabaseUrl(embedded.adminUrl), charters: tenant.charters.map((c) => c.temporalId) });
  checkpoint();
  const simulator = startSimulator({ pool, tenant, tickMs: config.tickMs, logger });
  running.push({ name: 'simulator', stop: simulator.stop });
  return {
    readerUrl: embedded.readerUrl,
    readerUrlFile: embedded.readerUrlFile,
    database: `embedded PostgreSQL ${describeDatabaseUrl(embedded.readerUrl)} (cluster in ${embedded.clusterDir}; demo data rebuilt at every start)`,
  };
}

function healthUrl(): string | null {
  const port = process.env.HEALTH_PORT?.trim() || '9464';
  return port === '0' ? null : `http://127.0.0.1:${port}/healthz`;
}

/** The worker exits 0 only after a signal (a terminal's Ctrl-C reaches it directly); anything else is a failure. */
function watchWorker(worker: WorkerChild): void {
  void worker.exited.then((code) => {
    if (shuttingDown) return;
    if (code !== 0) {
      logger.error('worker_exited', { code });
      process.exitCode = 1;
    }
    void shutDown(code === 0 ? 'worker stopped' : 'worker failed');
  });
}

let startup: Promise<void> = Promise.resolve();

async function shutDown(reason: string): Promise<void> {
  if (shuttingDown) {
    logger.warn('shutdown_signal_ignored', { signal: reason });
    return;
  }
  shuttingDown = true;
  interrupt();
  const started = performance.now();
  logger.info('shutdown_started', { reason });
  await startup.catch(() => {}); // it stops at its next checkpoint, having tracked what it started
  await stopAll(running, logger);
  logger.info('shutdown_complete', { reason, durationMs: Math.round(performance.now() - started) });
  // Anything still holding the event loop (a hung socket) must not keep a stopped demo alive.
  setTimeout(() => process.exit(), 2_000).unref();
}

const parsed = readDemoConfig(process.env);
if (!parsed.ok) {
  for (const problem of parsed.problems) logger.error('config_invalid', problem);
  process.exitCode = exitConfigError;
} else {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutDown(signal));
  logger.info('demo_starting', { dataDir: parsed.config.dataDir, port: parsed.config.port, node: process.version });
  startup = startAll(parsed.config);
  try {
    await startup;
  } catch (error) {
    // During a shutdown, a failing step is its consequence (Ctrl-C also reaches the site build), not news.
    if (!(error instanceof Interrupted) && !shuttingDown) {
      logger.error('demo_failed', { error });
      process.exitCode = 1;
      await shutDown('start-up failed');
    }
  }
}
