// A primary and a hot standby streaming from it, two embedded clusters, without pg_basebackup (the
// embedded server ships none; Debian's is older): the primary is prepared, stopped cleanly, its folder
// copied and told to follow it (standby.signal, primary_conninfo: what pg_basebackup -R writes; initdb's
// pg_hba.conf lets the superuser replicate from 127.0.0.1), both started. stop() removes everything.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { expect, vi } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../../scripts/embedded-postgres.ts';

const run = promisify(execFile);

export type StreamingPair = {
  /** superuser URLs of a database on each */
  primaryUrl(database: string): string;
  standbyUrl(database: string): string;
  /** a reader's URL of `database` on the primary or the standby, with the same credentials */
  readerUrl(on: 'primary' | 'standby', database: string, reader: { role: string; password: string }): string;
  /** resolves once the standby has replayed everything the primary has written so far */
  caughtUp(): Promise<void>;
  /** cuts the standby off from its primary (no WAL receiver), and connects it again */
  disconnect(): Promise<void>;
  reconnect(): Promise<void>;
  /** stops the standby and starts it again from its folder (on another port: the URLs above follow) */
  restartStandby(): Promise<void>;
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** the standby's pg_last_xact_replay_timestamp() */
  lastReplayed(): Promise<Date | null>;
  /** how long ago, on the standby's clock, the transaction it last replayed committed (ms) */
  replayLagMs(): Promise<number>;
  stop(): Promise<void>;
};

// Replay on the standby must not depend on anything the primary may recycle meanwhile, and nothing
// but the test may write there (autovacuum's commits would move the replay timestamp).
const settings = ['max_connections=60', 'wal_keep_size=256MB', 'autovacuum=off', 'hot_standby=on'];

/** Starts a primary, lets `prepare` fill it (roles replicate: create them here), and starts its standby. */
export async function startStreamingReplica(prepare: (superuserUrl: (database: string) => string) => Promise<void>): Promise<StreamingPair> {
  const root = await mkdtemp(join(tmpdir(), 'governance-replica-'));
  await chmod(root, 0o755); // as root, PostgreSQL runs as the postgres OS user, who must reach the folders
  const password = randomBytes(18).toString('base64url');
  const [primaryDir, standbyDir] = [join(root, 'primary'), join(root, 'standby')];
  const running: EmbeddedCluster[] = [];
  const start = async (clusterDir: string) => {
    const cluster = await startEmbeddedPostgres({ clusterDir, password, persistent: true, settings });
    running.push(cluster);
    return cluster;
  };
  const stop = async () => {
    for (const cluster of running.splice(0).reverse()) await cluster.stop().catch(() => {});
    await rm(root, { recursive: true, force: true });
  };
  try {
    const seeded = await start(primaryDir);
    await prepare(seeded.url);
    await seeded.stop();
    running.splice(running.indexOf(seeded), 1);
    // A clean shutdown leaves a consistent folder: its copy starts from the shutdown checkpoint.
    await run('cp', ['-a', primaryDir, standbyDir]);
    const primary = await start(primaryDir);
    await followPrimary(standbyDir, primary.port, password);
    let standby = await start(standbyDir);
    const streaming = () =>
      vi.waitFor(
        async () => {
          const { rows } = await query(primary.url('postgres'), "SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'");
          if (rows[0]!.n !== 1) throw new Error('the standby is not streaming yet');
        },
        { timeout: 60_000, interval: 200 },
      );
    const restartStandby = async () => {
      await standby.stop();
      running.splice(running.indexOf(standby), 1);
      standby = await start(standbyDir);
      await streaming();
    };
    const pair = createPair(primary, () => standby);
    await streaming();
    return { ...pair, restartStandby, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What pg_basebackup -R writes: standby.signal, and primary_conninfo in postgresql.auto.conf. */
async function followPrimary(dataDir: string, port: number, password: string) {
  const quote = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  const conninfo = `host=127.0.0.1 port=${port} user=postgres password=${quote(password)} application_name=governance_standby`;
  await appendFile(join(dataDir, 'postgresql.auto.conf'), `primary_conninfo = ${quote(conninfo)}\n`);
  await writeFile(join(dataDir, 'standby.signal'), '');
  if (process.getuid?.() === 0) {
    const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
    const [uid, gid] = [await id('-u'), await id('-g')];
    for (const file of ['postgresql.auto.conf', 'standby.signal']) await chown(join(dataDir, file), uid, gid);
  }
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<{ rows: R[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<R>(sql);
  } finally {
    await client.end();
  }
}

function createPair(primary: EmbeddedCluster, standby: () => EmbeddedCluster): Omit<StreamingPair, 'stop' | 'restartStandby'> {
  const onStandby = (sql: string) => query(standby().url('postgres'), sql);
  let conninfo = '';
  const withReader = (url: string, { role, password }: { role: string; password: string }) => {
    const parsed = new URL(url);
    parsed.username = encodeURIComponent(role);
    parsed.password = encodeURIComponent(password);
    return parsed.toString();
  };
  return {
    primaryUrl: (database) => primary.url(database),
    standbyUrl: (database) => standby().url(database),
    readerUrl: (on, database, reader) => withReader((on === 'primary' ? primary : standby()).url(database), reader),
    async caughtUp() {
      const { rows } = await query<{ lsn: string }>(primary.url('postgres'), 'SELECT pg_current_wal_insert_lsn()::text AS lsn');
      await vi.waitFor(
        async () => {
          const replayed = await query<{ done: boolean }>(standby().url('postgres'), `SELECT pg_last_wal_replay_lsn() >= '${rows[0]!.lsn}'::pg_lsn AS done`);
          if (!replayed.rows[0]!.done) throw new Error(`the standby has not replayed up to ${rows[0]!.lsn} yet`);
        },
        { timeout: 60_000, interval: 100 },
      );
    },
    // primary_conninfo is reloadable: emptied, the standby stops its WAL receiver; set again, it starts one
    async disconnect() {
      conninfo = (await onStandby('SHOW primary_conninfo')).rows[0]!.primary_conninfo as string;
      await onStandby("ALTER SYSTEM SET primary_conninfo = ''");
      await onStandby('SELECT pg_reload_conf()');
      await vi.waitFor(async () => expect((await onStandby('SELECT pid FROM pg_stat_wal_receiver')).rows).toEqual([]), { timeout: 60_000, interval: 100 });
    },
    async reconnect() {
      await onStandby(`ALTER SYSTEM SET primary_conninfo = ${pg.escapeLiteral(conninfo)}`);
      await onStandby('SELECT pg_reload_conf()');
      await vi.waitFor(async () => expect((await onStandby('SELECT pid FROM pg_stat_wal_receiver')).rows).toHaveLength(1), { timeout: 60_000, interval: 100 });
    },
    async pauseReplay() {
      await onStandby('SELECT pg_wal_replay_pause()');
    },
    async resumeReplay() {
      await onStandby('SELECT pg_wal_replay_resume()');
    },
    async lastReplayed() {
      return (await onStandby('SELECT pg_last_xact_replay_timestamp() AS at')).rows[0]!.at as Date | null;
    },
    async replayLagMs() {
      return Number((await onStandby('SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000 AS ms')).rows[0]!.ms);
    },
  };
}
