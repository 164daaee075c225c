#!/usr/bin/env node
// The worker process: the only place that creates things (pool, store, schedule, HTTP server).
//   npm run worker                    scheduled: one snapshot now, then on SNAPSHOT_CRON
//   npm run worker -- --once          one snapshot, published; exit 0, or 1 on failure
//   npm run worker -- --once --stdout one snapshot printed to stdout; nothing published
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import cron from 'node-cron';
import { cronIntervalMs, snapshotIntervalMs } from '../shared/schedule.ts';
import { repeatsFire, type Fire } from '../shared/clock.ts';
import type { Logger } from '../shared/ports.ts';
import { atomFeedFileName, freshnessWindowMs, jsonFeedFileName, limits } from '../shared/contract.ts';
import { buildSnapshot, type SnapshotSettings } from './build-snapshot.ts';
import { createPublisher } from './publisher.ts';
import { describeDatabaseUrl, parseConfig, type WorkerConfig } from './config.ts';
import { captureLibraryOutput, createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { createBackendCanceller, createPostgresGovernanceSource } from './postgres/postgres-governance-source.ts';
import { createSnapshotRunner } from './snapshot-runner.ts';
import { createAdvisoryLockLeader, lockKeyFor } from './postgres/advisory-lock-leader.ts';
import { createHealthServer, listen } from './health-server.ts';
import { stopAll, type Part } from './parts.ts';
import { watchClockSteps } from './clock-watch.ts';
import { publishPlan } from './side-files.ts';
import { signerAtStart } from './signing-key.ts';
import { createStore } from './stores/create-store.ts';
import { assertWithinBound, serializeSnapshot } from './validate.ts';

const exitUsageError = 64; // EX_USAGE from sysexits.h
const exitConfigError = 78; // EX_CONFIG

function createPool(config: WorkerConfig, logger: Logger) {
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: 1, // one snapshot at a time needs one connection; the database is not ours to crowd
    connectionTimeoutMillis: 5_000,
    query_timeout: config.statementTimeoutMs + 5_000, // client-side backstop if the server never answers
    application_name: 'governance-status-worker',
  });
  // An idle client can lose its connection at any time; without a listener that crashes the process.
  pool.on('error', (error) => logger.warn('database_connection_lost', { error }));
  return pool;
}

/** The feeds link to the page; without STATUS_PAGE_URL there is no page to link to, so no feeds. */
function feedLinks(config: WorkerConfig) {
  if (!config.statusPageUrl) return null;
  // The feeds are published beside the snapshot, which the page's default setup serves beside itself.
  const base = new URL('./', config.statusPageUrl);
  return { pageUrl: config.statusPageUrl, atomUrl: new URL(atomFeedFileName, base).href, jsonUrl: new URL(jsonFeedFileName, base).href };
}

/** node-cron's messages as our JSON lines (it would print plain text). */
function cronLogger(logger: Logger) {
  const fields = (message: string | Error, error?: Error) => ({ message: String(message), ...(error && { error }) });
  return {
    info: (message: string) => logger.info('cron', { message }),
    warn: (message: string) => logger.warn('cron', { message }),
    error: (message: string | Error, error?: Error) => logger.error('cron', fields(message, error)),
    debug: () => {},
  };
}

function settingsOf(config: WorkerConfig): SnapshotSettings {
  const links = feedLinks(config);
  return {
    principalId: config.principalId,
    billingAccountId: config.billingAccountId,
    staleAfterMs: (now) => freshnessWindowMs(snapshotIntervalMs(config.snapshotCron, now)),
    rules: config.rules,
    clockSkewLimitMs: config.clockSkewLimitMs,
    feeds: links && { atom: links.atomUrl, json: links.jsonUrl },
  };
}

/** --once --stdout: one snapshot on stdout, nothing published. */
async function printOnce(config: WorkerConfig, logger: Logger): Promise<number> {
  const pool = createPool(config, logger);
  const source = createPostgresGovernanceSource(pool, { ...config, cancelBackend: createBackendCanceller(config.databaseUrl, logger) });
  try {
    const body = serializeSnapshot(await buildSnapshot(source, settingsOf(config), new Date(), logger));
    // The same bound as a published file: what --stdout prints is often uploaded by someone else.
    assertWithinBound('governance-status.json', body, limits.snapshotBytes);
    process.stdout.write(body);
    return 0;
  } catch (error) {
    logger.error('snapshot_failed', { error });
    return 1;
  } finally {
    await pool.end();
  }
}

/** Publishes once (--once) or on the schedule until SIGTERM/SIGINT; every part stopped in reverse order. */
async function publish(config: WorkerConfig, logger: Logger, once: boolean): Promise<number> {
  const parts: Part[] = [];
  const pool = createPool(config, logger);
  parts.push({ name: 'database pool', stop: () => pool.end() });
  const source = createPostgresGovernanceSource(pool, { ...config, cancelBackend: createBackendCanceller(config.databaseUrl, logger) });
  const settings = settingsOf(config);
  const { store, close: closeStore } = await createStore(config.destination!, config);
  parts.push({ name: 'store', stop: closeStore });
  const publishing = { feeds: feedLinks(config), timeoutMs: config.snapshotTimeoutMs, signer: signerAtStart(config.signingKey, logger) };
  logger.info('publish_plan', { destination: store.description, ...publishPlan(store.snapshotName, publishing) });
  const publisher = createPublisher({ source, store, clock: () => new Date(), logger }, settings, publishing);
  const leader = once ? null : createAdvisoryLockLeader({ connectionString: config.leaderDatabaseUrl, lockKey: lockKeyFor(store.description), sessionPooler: config.leaderSessionPooler, leaseMs: config.leaderLeaseMs, clockSkewLimitMs: config.clockSkewLimitMs, logger, onLost: () => runner.abort('this replica lost the leader lock') });
  if (leader) parts.push({ name: 'leader lock', stop: () => leader.close() });
  const role = (): 'leader' | 'standby' => (leader === null || leader.isLeader() ? 'leader' : 'standby');
  let metrics: ReturnType<typeof createMetrics> | undefined;
  const runner = createSnapshotRunner({
    publish: publisher,
    logger,
    timeoutMs: config.snapshotTimeoutMs,
    destination: store.description,
    readPublished: (signal) => store.get(store.snapshotName, signal),
    onRun: (outcome, durationMs) => metrics?.observeRun(outcome, durationMs),
  });
  if (once) {
    const outcome = await runner.run('once');
    await stopAll(parts, logger);
    return outcome === 'success' ? 0 : 1;
  }
  metrics = createMetrics({ stats: runner.stats, role, skewMs: () => leader!.skewMs() ?? runner.stats.skewMs });
  if (!(await serveHealth(config, logger, parts, { runner, leader: leader!, metrics, role, settings }))) {
    await stopAll(parts, logger);
    return 1;
  }
  return schedule(config, logger, parts, { runner, leader: leader!, publisher, store });
}

type Running = { runner: ReturnType<typeof createSnapshotRunner>; leader: ReturnType<typeof createAdvisoryLockLeader> };

/** GET /healthz and /metrics on HEALTH_PORT (0: none); false when the port cannot be had. */
async function serveHealth(config: WorkerConfig, logger: Logger, parts: Part[], { runner, leader, metrics, role, settings }: Running & { metrics: ReturnType<typeof createMetrics>; role: () => 'leader' | 'standby'; settings: SnapshotSettings }) {
  if (config.healthPort === 0) return true;
  const health = createHealthServer({
    stats: runner.stats,
    metrics,
    role,
    databaseReachable: () => leader.isDatabaseReachable(),
    leaderProblem: () => leader.problem(),
    skewMs: () => leader.skewMs() ?? runner.stats.skewMs,
    // a standby gives the leader one staleAfter from start before it says that nobody publishes
    standbyGraceUntil: new Date(Date.now() + settings.staleAfterMs(new Date())),
  });
  try {
    const port = await listen(health, config.healthPort);
    parts.push({ name: 'health server', stop: () => new Promise((done) => health.close(done)) });
    logger.info('health_listening', { port, paths: ['/healthz', '/metrics'] });
    return true;
  } catch (error) {
    logger.error('health_listen_failed', { port: config.healthPort, error });
    return false;
  }
}

/**
 * Lets the running snapshot finish within the timeout; past it, aborts it before the lock is given
 * back and the store closed: a store closed under a live request made the SDK send it again, a
 * write after this replica stopped leading.
 */
async function drain(runner: Running['runner'], timeoutMs: number, logger: Logger): Promise<boolean> {
  const drained = await Promise.race([runner.idle().then(() => true), new Promise<false>((done) => setTimeout(done, timeoutMs, false).unref())]);
  if (!drained) {
    logger.warn('shutdown_drain_timeout', { timeoutMs, action: 'the running snapshot is aborted' });
    runner.abort('the worker is shutting down');
  }
  return drained;
}

/** Every replica runs this; the advisory lock lets exactly one publish per tick. Resolves on SIGTERM/SIGINT. */
async function schedule(config: WorkerConfig, logger: Logger, parts: Part[], { runner, leader, publisher, store }: Running & { publisher: ReturnType<typeof createPublisher>; store: { description: string } }) {
  const leaderDatabase = config.leaderDatabaseUrl === config.databaseUrl ? undefined : describeDatabaseUrl(config.leaderDatabaseUrl);
  logger.info('worker_started', { database: describeDatabaseUrl(config.databaseUrl), ...(leaderDatabase && { leaderDatabase }), destination: store.description, cron: config.snapshotCron });
  // planned again after its clock stepped back a little, node-cron may fire the slot it just fired
  let lastFire: Fire | null = null;
  const onFire = (slot: Date) => {
    const fire = { slotMs: slot.getTime(), monotonicMs: performance.now() };
    if (repeatsFire(lastFire, fire, cronIntervalMs(config.snapshotCron, slot))) return;
    lastFire = fire;
    return runner.run('schedule', slot);
  };
  const task = cron.schedule(config.snapshotCron, (context) => onFire(context.date), { name: 'governance-snapshot', timezone: 'UTC', distributed: true, runCoordinator: leader, logger: cronLogger(logger) });
  // Stopped first on shutdown: no new tick, then the running snapshot may finish (up to the timeout).
  let drained = true;
  parts.push({
    name: 'schedule',
    stop: async () => {
      await task.stop();
      drained = await drain(runner, config.shutdownTimeoutMs, logger);
      await task.destroy();
    },
  });
  // A wall clock stepped back leaves node-cron asleep until its old next fire: plan it from the new time.
  const clockWatch = watchClockSteps({
    onStepBack: (ms) => {
      logger.warn('clock_stepped_back', { seconds: Math.round(ms / 1000), action: 'the schedule is planned again from the new time' });
      task.stop();
      task.start();
    },
  });
  parts.push({ name: 'clock watch', stop: () => clockWatch.stop() });
  // A tick this replica did not run: another replica leads, or the database is out of reach. What
  // this replica remembered is stale once another one leads: when it leads again it rereads.
  const notRun = (trigger: string) => {
    publisher.reset();
    if (leader.isDatabaseReachable()) void runner.skip();
    else runner.fail(trigger, leader.lastError());
  };
  task.on('execution:skipped', () => notRun('schedule'));
  // One snapshot at start, if this replica leads: a restarted sidecar publishes without waiting a tick.
  void leader.shouldRun().then(async (elected) => (elected ? void (await runner.run('startup')) : notRun('startup')));

  const signal = await new Promise<string>((resolve) => {
    let stopping = false;
    const on = (name: string) => () => {
      if (stopping) logger.warn('shutdown_signal_ignored', { signal: name });
      else resolve(name);
      stopping = true;
    };
    process.on('SIGTERM', on('SIGTERM'));
    process.on('SIGINT', on('SIGINT'));
  });
  logger.info('shutdown_started', { signal });
  await stopAll(parts, logger);
  logger.info('shutdown_complete', { signal, drained });
  return 0;
}

/** --version: the package's version. It loads every module a worker may run (the S3 store too), so
 *  it also warms Node's compile cache, as the container image does when it is built. */
async function printVersion(): Promise<number> {
  await import('./stores/s3-snapshot-store.ts');
  const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`governance-status-worker ${version}\n`);
  return 0;
}

async function main(): Promise<number> {
  let flags: { once?: boolean; stdout?: boolean; version?: boolean };
  try {
    flags = parseArgs({ options: { once: { type: 'boolean' }, stdout: { type: 'boolean' }, version: { type: 'boolean' } } }).values;
    if (flags.stdout && !flags.once) throw new Error('--stdout needs --once');
  } catch (error) {
    createLogger().error('usage_invalid', { error, usage: 'npm run worker [-- --once [--stdout] | --version]' });
    return exitUsageError;
  }
  if (flags.version) return printVersion();
  const stdoutMode = Boolean(flags.once && flags.stdout);
  // With --stdout the snapshot owns stdout, so the logs move to stderr.
  const logger = createLogger(stdoutMode ? (line) => process.stderr.write(line) : undefined);
  captureLibraryOutput(logger);
  // A crash is one JSON line too, not a stack trace among them.
  process.on('uncaughtException', (error) => {
    logger.error('worker_crashed', { error });
    process.exit(70); // EX_SOFTWARE
  });
  const parsed = parseConfig(process.env, { stdout: stdoutMode });
  if (!parsed.ok) {
    for (const problem of parsed.problems) logger.error('config_invalid', problem);
    return exitConfigError;
  }
  if (stdoutMode) return printOnce(parsed.config, logger);
  return publish(parsed.config, logger, Boolean(flags.once));
}

process.exitCode = await main();
// Anything still holding the event loop (a hung socket) must not keep a finished worker alive.
setTimeout(() => process.exit(), 1_000).unref();
