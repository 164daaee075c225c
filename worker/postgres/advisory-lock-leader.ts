// Leader election for replicas that share one database and one destination: node-cron's run
// coordinator backed by a PostgreSQL session advisory lock. Side effects: holds one dedicated
// connection (a session lock lives exactly as long as its session). When the leader dies, its
// session ends, the lock is free, and the next standby to ask on a tick becomes the leader.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { RunCoordinator } from 'node-cron';
import type { Logger } from '../../shared/ports.ts';

export type Leader = {
  /** node-cron's RunCoordinator.shouldRun: true when this replica holds (or just took) the lock */
  shouldRun(key?: string, ttlMs?: number): Promise<boolean>;
  isLeader(): boolean;
  /** whether the last attempt to reach the database on the lock's connection succeeded */
  isDatabaseReachable(): boolean;
  /** why the last attempt failed, while the database is unreachable */
  lastError(): unknown;
  /** ends the session, which releases the lock at once (a standby takes over on its next tick) */
  close(): Promise<void>;
};

/** One lock per destination: workers publishing to different places never block each other. */
export function lockKeyFor(destination: string): string {
  return createHash('sha256').update(`governance-status:${destination}`).digest().readBigInt64BE(0).toString();
}

export function createAdvisoryLockLeader(options: { connectionString: string; lockKey: string; logger: Logger }): Leader & RunCoordinator {
  const { logger, lockKey } = options;
  let client: pg.Client | undefined;
  let leader = false;
  let reachable = false;
  let failure: unknown = null;
  let closed = false;

  const forget = (reason: unknown) => {
    const current = client;
    client = undefined;
    reachable = false;
    if (leader) logger.warn('leader_lost', { error: reason });
    leader = false;
    current?.end().catch(() => {});
  };

  async function connect(): Promise<pg.Client> {
    const fresh = new pg.Client({
      connectionString: options.connectionString,
      application_name: 'governance-status-worker-leader',
      connectionTimeoutMillis: 5_000,
      query_timeout: 5_000,
      keepAlive: true,
    });
    fresh.on('error', (error) => {
      if (client === fresh) forget(error);
    });
    await fresh.connect();
    return fresh;
  }

  async function tryToLead(): Promise<boolean> {
    if (closed) return false;
    try {
      client ??= await connect();
      if (leader) {
        // The lock lives as long as this session: a live session still holds it.
        await client.query('SELECT 1');
      } else {
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [lockKey]);
        leader = rows[0]?.locked === true;
        if (leader) logger.info('leader_elected', { lockKey });
      }
      reachable = true;
      failure = null;
      return leader;
    } catch (error) {
      forget(error);
      failure = error;
      return false;
    }
  }

  // One attempt at a time: two overlapping attempts (the start-up run and a tick, or ticks behind a
  // slow connect) would each open a session, and the session left behind could keep the lock.
  let attempt: Promise<boolean> | undefined;
  return {
    shouldRun: () => (attempt ??= tryToLead().finally(() => (attempt = undefined))),
    isLeader: () => leader,
    isDatabaseReachable: () => reachable,
    lastError: () => failure,
    async close() {
      closed = true;
      await attempt;
      const current = client;
      client = undefined;
      leader = false;
      await current?.end().catch(() => {});
    },
  };
}
