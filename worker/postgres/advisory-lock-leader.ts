// Leader election for replicas that share one database and one destination: node-cron's run
// coordinator backed by a PostgreSQL session advisory lock. Side effects: holds one dedicated
// connection (a session lock lives exactly as long as its session) and marks that session with a
// random token (a session setting). When the leader dies its session ends, the lock is free, and the
// next standby to ask on a tick becomes the leader. Behind a proxy it holds one more connection, the
// probe (see below).
import { createHash, randomUUID } from 'node:crypto';
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
  /** why this replica refuses to lead although it reaches the database (its connection is not one
   *  session: a pooler in transaction mode), or null */
  problem(): string | null;
  /** ends the session, which releases the lock at once (a standby takes over on its next tick) */
  close(): Promise<void>;
};

/** The part of pg.Client the leader uses; tests pass sessions that misbehave as poolers do. */
export type LockSession = {
  /** the backend pid the server announced at connect (BackendKeyData); a proxy announces its own */
  readonly processID?: number | null;
  connect(): Promise<unknown>;
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
};

export type LeaderOptions = {
  connectionString: string;
  lockKey: string;
  logger: Logger;
  /** a new, unconnected session; by default a pg.Client on connectionString */
  openSession?: () => LockSession;
  /** called when this replica stops being the leader, so a snapshot still in flight is not written */
  onLost?: (reason: unknown) => void;
};

/** One lock per destination: workers publishing to different places never block each other. */
export function lockKeyFor(destination: string): string {
  return createHash('sha256').update(`governance-status:${destination}`).digest().readBigInt64BE(0).toString();
}

/** Session-level on the lock's backend; any other session that sets it marks that backend shared (see the snapshot source). */
export const tokenSetting = 'governance_status.leader_session';
const advice = 'connect the lock directly to PostgreSQL or through a pooler in session mode (LEADER_DATABASE_URL); see docs/deployment.md';

// One statement, so that even a transaction-mode pooler runs it on one server connection. The first
// branch proves the backend is this replica's own session (same pid as at connect, still carrying
// its token) before anything else happens on it; a session found shared is marked so for everyone
// who shares it. Then: the lock is held by this very backend (pg_locks, granted), or a leader lost it,
// or a standby tries to take it.
const checkSql = `
  SELECT pg_backend_pid() AS pid, current_setting('${tokenSetting}', true) AS token,
         CASE
           WHEN pg_backend_pid() <> $2::int OR current_setting('${tokenSetting}', true) IS DISTINCT FROM $3
             THEN 'foreign' || left(set_config('${tokenSetting}', 'shared', false), 0)
           WHEN EXISTS (SELECT 1 FROM pg_locks
                         WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                           AND classid = $5::oid AND objid = $6::oid AND objsubid = 1)
             THEN 'held'
           WHEN $4::boolean THEN 'lost'
           WHEN pg_try_advisory_lock($1::bigint) THEN 'acquired'
           ELSE 'busy'
         END AS verdict`;

const unlockSql = 'SELECT CASE WHEN pg_backend_pid() = $2::int THEN pg_advisory_unlock($1::bigint) END AS unlocked';

type Verdict = 'foreign' | 'held' | 'lost' | 'acquired' | 'busy';

// The token catches a shared session only once another client has run on its backend. A replica
// whose lock backend nobody else happens to use (a standby whose pooled server connection stayed its
// own) would wait on a lock left behind elsewhere and never say why. So, behind a proxy (the pid the
// server announced at connect is not the backend's: PgBouncer, in any mode, announces its own), a
// second client, the probe, runs one statement right after every check. A pooler in session mode
// gives the probe a backend of its own; one in transaction mode hands it a free server connection,
// and PgBouncer (server_round_robin = 0, its default) hands out the one used last: the backend the
// check just ran on. Other poolers promise no such order; there the probe is a hint beside the token.
// The probe also marks the backend it ran on as shared, so a lock session elsewhere that shares it
// refuses on its next check.
const probeTimeoutMs = 1_000;
const probePauseChecks = 10;
const probeAdvice = `behind a pooler each replica needs one more connection, for its probe; the check goes on without it, and the probe is tried again in ${probePauseChecks} ticks`;
const probeSql = `SELECT pg_backend_pid() AS pid, left(set_config('${tokenSetting}', 'shared', false), 0) AS marked`;

/** `promise`, or a rejection once `ms` have passed without it settling. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createAdvisoryLockLeader(options: LeaderOptions): Leader & RunCoordinator {
  const { logger, lockKey } = options;
  // pg_locks shows a bigint key as its high half in classid and its low half in objid (objsubid 1).
  const key = BigInt.asUintN(64, BigInt(lockKey));
  const halves = [String(key >> 32n), String(key & 0xffffffffn)];
  const openSession: () => LockSession =
    options.openSession ??
    (() =>
      // pg.Client keeps the announced pid in processID; its types leave it out
      new pg.Client({
        connectionString: options.connectionString,
        application_name: 'governance-status-worker-leader',
        connectionTimeoutMillis: 5_000,
        query_timeout: 5_000,
        keepAlive: true,
      }));
  let session: { client: LockSession; pid: number; token: string; proxied: boolean } | undefined;
  let probe: LockSession | undefined;
  /** whether the last probe failed (its warning is logged once per run of failures) */
  let probeFailing = false;
  /** checks left to go without a probe after one failed */
  let probePause = 0;
  let leader = false;
  let reachable = false;
  let failure: unknown = null;
  let refusal: string | null = null;
  let closed = false;

  const forget = (reason: unknown) => {
    const current = session;
    session = undefined;
    reachable = false;
    if (leader) lose(reason);
    current?.client.end().catch(() => {});
  };

  async function connect() {
    const client = openSession();
    client.on('error', (error) => {
      if (session?.client === client) forget(error);
    });
    await client.connect();
    const token = randomUUID();
    const { rows } = await client.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid, set_config('${tokenSetting}', $1, false)`, [token]);
    const pid = rows[0]!.pid;
    // pg keeps null when the server sent no BackendKeyData; a session that does not say (undefined) is taken at its word
    return { client, pid, token, proxied: client.processID !== undefined && client.processID !== pid };
  }

  /** Whether the probe's statement ran on the lock session's backend. A probe is a hint: one that
   *  fails or is slow (a session pool with no room for it queues it) proves nothing, the check's
   *  verdict stands, and the next checks go without one for a while rather than each wait for it. */
  async function probeLandsOn(pid: number): Promise<boolean> {
    if (probePause > 0) {
      probePause -= 1;
      return false;
    }
    let client = probe;
    try {
      if (!client) {
        const opened = (client = openSession());
        opened.on('error', () => {
          if (probe === opened) probe = undefined;
          opened.end().catch(() => {});
        });
        probe = opened;
        await within(opened.connect(), probeTimeoutMs);
      }
      const { rows } = await within(client.query<{ pid: number }>(probeSql), probeTimeoutMs);
      probeFailing = false;
      return rows[0]!.pid === pid;
    } catch (error) {
      if (!probeFailing) logger.warn('leader_probe_failed', { error, advice: probeAdvice });
      probeFailing = true;
      probePause = probePauseChecks;
      if (probe === client) probe = undefined;
      client?.end().catch(() => {});
      return false;
    }
  }

  function lose(reason: unknown) {
    leader = false;
    logger.warn('leader_lost', { error: reason });
    options.onLost?.(reason);
  }

  /** The connection is not one session: never lead on it, say why once, and keep saying it in /healthz. */
  function refuse(reason: string) {
    if (leader) lose(reason);
    refusal = `refusing to lead: ${reason}; ${advice}`;
    logger.error('leader_session_unverified', { reason, advice });
  }

  async function tryToLead(): Promise<boolean> {
    if (closed) return false;
    // Proven once, a shared session stays suspect: reconnecting could land on the very backend
    // another replica leads from and take over its lock within the same tick.
    if (refusal) return false;
    try {
      const current = (session ??= await connect());
      const { pid, token } = current;
      const { rows } = await current.client.query<{ pid: number; token: string | null; verdict: Verdict }>(checkSql, [lockKey, pid, token, leader, ...halves]);
      const seen = rows[0]!;
      reachable = true;
      failure = null;
      const problem =
        seen.verdict === 'foreign'
          ? seen.pid !== pid
            ? `the lock's connection ran this statement on another server backend (pid ${seen.pid}, not ${pid}): a pooler in transaction mode`
            : "another client changed the lock connection's session: a pooler shares it between clients"
          : seen.verdict === 'lost'
            ? "the leader lock vanished from the lock connection's session: a pooler reset or reassigned it"
            : seen.verdict === 'held' && !leader
              ? "the lock connection's session already held the lock this replica never took: it is shared with another client"
              : current.proxied && (await probeLandsOn(pid))
                ? `another client's statement ran on the lock connection's server backend (pid ${pid}) between its transactions: a pooler in transaction mode`
                : null;
      // The lock session failed (and was forgotten, with any lead) or the leader closed while the
      // probe ran: this check no longer speaks for a session.
      if (session !== current || closed) return false;
      if (problem) {
        refuse(problem);
        // Only the probe refuses a lock this very check took: give it back, best effort (on a pooled
        // connection the statement may run on another backend, and then it unlocks nothing).
        if (seen.verdict === 'acquired') await current.client.query(unlockSql, [lockKey, pid]).catch(() => {});
      } else {
        if (seen.verdict === 'acquired') logger.info('leader_elected', { lockKey });
        leader = seen.verdict === 'acquired' || seen.verdict === 'held';
      }
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
    problem: () => refusal,
    async close() {
      closed = true;
      await attempt;
      const current = session;
      session = undefined;
      leader = false;
      const currentProbe = probe;
      probe = undefined;
      await Promise.all([current?.client.end().catch(() => {}), currentProbe?.end().catch(() => {})]);
    },
  };
}
