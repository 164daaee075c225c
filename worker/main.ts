#!/usr/bin/env node
// The worker process: the only place that creates things (pool, S3 client, schedule, HTTP server).
//   npm run worker                    scheduled: one snapshot now, then on SNAPSHOT_CRON
//   npm run worker -- --once          one snapshot, published; exit 0, or 1 on failure
//   npm run worker -- --once --stdout one snapshot printed to stdout; nothing published
import { parseArgs } from 'node:util';
import pg from 'pg';
import { S3Client } from '@aws-sdk/client-s3';
import cron from 'node-cron';
import { cronIntervalMs } from '../shared/schedule.ts';
import type { Logger, SnapshotStorePort } from '../shared/ports.ts';
import { atomFeedFileName, jsonFeedFileName, limits } from '../shared/contract.ts';
import { assertWithinBound, buildSnapshot, createPublisher, serializeSnapshot, type SnapshotSettings } from './build-snapshot.ts';
import { describeDatabaseUrl, parseConfig, type Destination, type WorkerConfig } from './config.ts';
import { captureLibraryOutput, createLogger } from './logger.ts';
import { createBackendCanceller, createPostgresGovernanceSource } from './postgres/postgres-governance-source.ts';
import { createSnapshotRunner } from './snapshot-runner.ts';
import { createAdvisoryLockLeader, lockKeyFor } from './postgres/advisory-lock-leader.ts';
import { createHealthServer, listen } from './health-server.ts';
import { publishPlan } from './side-files.ts';
import { createFileSnapshotStore } from './stores/file-snapshot-store.ts';
import { createS3SnapshotStore } from './stores/s3-snapshot-store.ts';

const exitUsageError = 64; // EX_USAGE from sysexits.h
const exitConfigError = 78; // EX_CONFIG

function createStore(destination: Destination, config: WorkerConfig): { store: SnapshotStorePort; close(): void } {
  if (destination.kind === 'file') return { store: createFileSnapshotStore(destination.path), close() {} };
  const client = new S3Client({
    endpoint: config.s3Endpoint,
    forcePathStyle: config.s3ForcePathStyle,
    // S3-compatible stores often have no notion of region and reject the newer flexible checksums.
    ...(config.s3Endpoint && {
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  });
  return { store: createS3SnapshotStore(client, { ...destination, cacheControl: config.cacheControl }), close: () => client.destroy() };
}

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
  return {
    pageUrl: config.statusPageUrl,
    atomUrl: new URL(atomFeedFileName, base).href,
    jsonUrl: new URL(jsonFeedFileName, base).href,
  };
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

async function main(): Promise<number> {
  let flags: { once?: boolean; stdout?: boolean };
  try {
    flags = parseArgs({ options: { once: { type: 'boolean' }, stdout: { type: 'boolean' } } }).values;
    if (flags.stdout && !flags.once) throw new Error('--stdout needs --once');
  } catch (error) {
    createLogger().error('usage_invalid', { error, usage: 'npm run worker [-- --once [--stdout]]' });
    return exitUsageError;
  }
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
  const config = parsed.config;
  const pool = createPool(config, logger);
  const source = createPostgresGovernanceSource(pool, {
    statementTimeoutMs: config.statementTimeoutMs,
    lockTimeoutMs: config.lockTimeoutMs,
    idleInTransactionTimeoutMs: config.idleInTransactionTimeoutMs,
    cancelBackend: createBackendCanceller(config.databaseUrl, logger),
  });
  const settings: SnapshotSettings = {
    principalId: config.principalId,
    billingAccountId: config.billingAccountId,
    staleAfterMs: (now) => 3 * cronIntervalMs(config.snapshotCron, now),
    rules: config.rules,
  };

  if (stdoutMode) {
    try {
      const body = serializeSnapshot(await buildSnapshot(source, settings, new Date(), logger));
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

  const destination = config.destination!; // required by parseConfig outside --stdout mode
  const { store, close: closeStore } = createStore(destination, config);
  const publish = createPublisher({ source, store, clock: () => new Date(), logger }, settings, { feeds: feedLinks(config) });
  logger.info('publish_plan', { destination: store.description, ...publishPlan(store.snapshotName, { feeds: feedLinks(config) }) });
  const runner = createSnapshotRunner({
    publish,
    logger,
    timeoutMs: config.snapshotTimeoutMs,
    destination: store.description,
    readPublished: (signal) => store.get(store.snapshotName, signal),
  });
  const database = describeDatabaseUrl(config.databaseUrl);

  if (flags.once) {
    const outcome = await runner.run('once');
    await pool.end();
    closeStore();
    return outcome === 'success' ? 0 : 1;
  }

  // Every replica of the sidecar runs this; the advisory lock lets exactly one publish per tick.
  const leader = createAdvisoryLockLeader({
    connectionString: config.leaderDatabaseUrl,
    lockKey: lockKeyFor(store.description),
    logger,
    onLost: () => runner.abort('this replica lost the leader lock'),
  });
  const health = createHealthServer({
    stats: runner.stats,
    role: () => (leader.isLeader() ? 'leader' : 'standby'),
    databaseReachable: () => leader.isDatabaseReachable(),
    leaderProblem: () => leader.problem(),
    // a standby gives the leader one staleAfter from start before it says that nobody publishes
    standbyGraceUntil: new Date(Date.now() + settings.staleAfterMs(new Date())),
  });
  if (config.healthPort !== 0) {
    try {
      const port = await listen(health, config.healthPort);
      logger.info('health_listening', { port, paths: ['/healthz', '/metrics'] });
    } catch (error) {
      logger.error('health_listen_failed', { port: config.healthPort, error });
      await Promise.all([pool.end(), leader.close()]);
      closeStore();
      return 1;
    }
  }

  const leaderDatabase = config.leaderDatabaseUrl === config.databaseUrl ? undefined : describeDatabaseUrl(config.leaderDatabaseUrl);
  logger.info('worker_started', { database, ...(leaderDatabase && { leaderDatabase }), destination: store.description, cron: config.snapshotCron });
  const task = cron.schedule(config.snapshotCron, () => runner.run('schedule'), {
    name: 'governance-snapshot',
    timezone: 'UTC',
    distributed: true,
    runCoordinator: leader,
    logger: cronLogger(logger),
  });
  // A tick this replica did not run: another replica leads, or the database is out of reach.
  // What this replica remembered is stale once another one leads: when it leads again it rereads the
  // earlier facts and the 90 days instead of trusting a memory with a gap in it.
  const notRun = (trigger: string) => {
    publish.reset();
    if (leader.isDatabaseReachable()) void runner.skip();
    else runner.fail(trigger, leader.lastError());
  };
  task.on('execution:skipped', () => notRun('schedule'));
  // One snapshot at start, if this replica leads: a restarted sidecar publishes without waiting a tick.
  void leader.shouldRun().then(async (elected) => {
    if (elected) await runner.run('startup');
    else notRun('startup');
  });

  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) {
        logger.warn('shutdown_signal_ignored', { signal });
        return;
      }
      stopping = true;
      logger.info('shutdown_started', { signal });
      await task.stop();
      const drained = await Promise.race([
        runner.idle().then(() => true),
        new Promise<false>((done) => setTimeout(done, config.shutdownTimeoutMs, false).unref()),
      ]);
      if (!drained) logger.warn('shutdown_drain_timeout', { timeoutMs: config.shutdownTimeoutMs });
      await task.destroy();
      await Promise.all([
        pool.end().catch((error: unknown) => logger.warn('pool_close_failed', { error })),
        leader.close(),
        new Promise((done) => health.close(done)),
      ]);
      closeStore();
      logger.info('shutdown_complete', { signal, drained });
      resolve(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  });
}

process.exitCode = await main();
// Anything still holding the event loop (a hung socket) must not keep a finished worker alive.
setTimeout(() => process.exit(), 1_000).unref();
