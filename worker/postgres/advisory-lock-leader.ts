// Leader election for replicas that share one database and one destination: node-cron's run
// coordinator backed by a PostgreSQL session advisory lock, on one dedicated connection (a session
// lock lives exactly as long as its session).
//
// Each tick one statement checks that the lock connection is still this replica's own session (the
// same backend pid, carrying the random token it set) and that it holds the lock, or tries to take
// it. A leader that dies ends its session, the lock is free, and the next standby to ask takes it.
// A session lock needs a session: behind a proxy (the pid the server announced at connect is not
// the backend's own: PgBouncer announces its own in every mode) the replica refuses to lead, unless
// the operator says the proxy is a pooler in session mode (LEADER_POOLER=session). A check that
// lands on another backend, or finds its token changed, proves a shared session: it refuses too.
// A frozen leader (a stopped process, a paused container) keeps its session open, so the session is
// a lease: the server ends it when it has been idle for LEADER_LEASE_SECONDS (idle_session_timeout),
// and a replica that runs keeps it alive between ticks with a statement every third of that. A leader
// that wakes finds its session gone, and with it the lead; a standby took the lock meanwhile.
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RunCoordinator } from 'node-cron';
import type { Logger } from '../../shared/ports.ts';
import { clockSkewMs, skewProblem } from '../../shared/clock.ts';

export type Leader = {
  /** node-cron's RunCoordinator.shouldRun: true when this replica holds (or just took) the lock */
  shouldRun(key?: string, ttlMs?: number): Promise<boolean>;
  isLeader(): boolean;
  /** whether the last attempt to reach the database on the lock's connection succeeded */
  isDatabaseReachable(): boolean;
  /** why the last attempt failed, while the database is unreachable */
  lastError(): unknown;
  /** why this replica refuses to lead although it reaches the database, or null */
  problem(): string | null;
  /** the worker's clock minus the database's at the last check (ms), or null before one */
  skewMs(): number | null;
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
  /** the operator says the lock connection's proxy is a pooler in session mode */
  sessionPooler?: boolean;
  /** a replica whose clock is further than this from the database's stands aside (shared/clock.ts) */
  clockSkewLimitMs?: number;
  /** how long the server keeps an idle lock session (a frozen replica's) before it ends it; none when unset */
  leaseMs?: number;
  /** a new, unconnected session; by default a pg.Client on connectionString */
  openSession?: () => LockSession;
  /** called when this replica stops being the leader, so a snapshot still in flight is not written */
  onLost?: (reason: unknown) => void;
};

/** One lock per destination: workers publishing to different places never block each other. */
export function lockKeyFor(destination: string): string {
  return createHash('sha256').update(`governance-status:${destination}`).digest().readBigInt64BE(0).toString();
}

const tokenSetting = 'governance_status.leader_session';
const advice = 'connect the lock directly to PostgreSQL or through a pooler in session mode (LEADER_DATABASE_URL), and for a pooler set LEADER_POOLER=session; see docs/deployment.md';

// One statement, so that even a transaction-mode pooler runs it on one server connection. A session
// found shared is marked so, for every other replica that shares it to see.
const checkSql = `
  SELECT pg_backend_pid() AS pid, clock_timestamp() AS database_now,
         CASE
           WHEN pg_backend_pid() <> $2::int OR current_setting('${tokenSetting}', true) IS DISTINCT FROM $3
             THEN 'shared' || left(set_config('${tokenSetting}', 'shared', false), 0)
           WHEN EXISTS (SELECT 1 FROM pg_locks
                         WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                           AND classid = $5::oid AND objid = $6::oid AND objsubid = 1)
             THEN 'held'
           WHEN $4::boolean THEN 'lost'
           WHEN $7::boolean THEN 'aside'
           WHEN pg_try_advisory_lock($1::bigint) THEN 'acquired'
           ELSE 'busy'
         END AS verdict`;

const standbyLockProblem =
  'the leader lock is taken on a hot standby, whose advisory locks are its own: replicas whose lock connections reach different servers (a load-balanced read-only endpoint) all lead; set LEADER_DATABASE_URL to the primary';

type Verdict = 'shared' | 'held' | 'lost' | 'aside' | 'acquired' | 'busy';
const unlockSql = 'SELECT pg_advisory_unlock($1::bigint)';

/** Why a verdict means this connection is no session of its own, or null. */
function problemOf(verdict: Verdict, seenPid: number, pid: number, leader: boolean): string | null {
  if (verdict === 'shared') {
    return seenPid !== pid
      ? `the lock's connection ran this statement on another server backend (pid ${seenPid}, not ${pid}): a pooler in transaction mode`
      : "another client changed the lock connection's session: a pooler shares it between clients";
  }
  if (verdict === 'lost') return "the leader lock vanished from the lock connection's session: a pooler reset or reassigned it";
  if (verdict === 'held' && !leader) return "the lock connection's session already held the lock this replica never took: it is shared with another client";
  return null;
}

type Session = { client: LockSession; pid: number; token: string };

/** What one leader knows between ticks; every step below takes it. */
type LeaderState = {
  options: LeaderOptions;
  /** the lock key's halves as pg_locks shows them (classid, objid) */
  halves: [string, string];
  openSession: () => LockSession;
  /** the lock's connection with the backend pid and token it set at connect; dropped when it fails */
  session: Session | undefined;
  leader: boolean;
  reachable: boolean;
  /** why the last attempt failed, while the database is unreachable */
  failure: unknown;
  /** why this replica never leads on this connection again (a shared session), or null */
  refusal: string | null;
  /** why this replica stands aside for now (its clock), cleared once the clock is right again */
  aside: string | null;
  skewMs: number | null;
  /** leader_stood_aside was said for this stretch of a wrong clock */
  asideLogged: boolean;
  /** close() was called: no attempt leads again */
  closed: boolean;
  /** the attempt under way; see shouldRun */
  attempt: Promise<boolean> | undefined;
  /** keeps the lease: a statement on the session every third of it */
  heartbeat: ReturnType<typeof setInterval> | undefined;
};

export function createAdvisoryLockLeader(options: LeaderOptions): Leader & RunCoordinator {
  // pg_locks shows a bigint key as its high half in classid and its low half in objid (objsubid 1).
  const key = BigInt.asUintN(64, BigInt(options.lockKey));
  const state: LeaderState = {
    options,
    halves: [String(key >> 32n), String(key & 0xffffffffn)],
    openSession:
      options.openSession ??
      (() =>
        new pg.Client({ connectionString: options.connectionString, application_name: 'governance-status-worker-leader', connectionTimeoutMillis: 5_000, query_timeout: 5_000, keepAlive: true })),
    session: undefined,
    leader: false,
    reachable: false,
    failure: null,
    refusal: null,
    aside: null,
    skewMs: null,
    asideLogged: false,
    closed: false,
    attempt: undefined,
    heartbeat: options.leaseMs ? setInterval(() => keepLease(state), options.leaseMs / 3).unref() : undefined,
  };
  return {
    // One attempt at a time: two overlapping attempts (the start-up run and a tick, or ticks behind a
    // slow connect) would each open a session, and the session left behind could keep the lock.
    shouldRun: () => (state.attempt ??= tryToLead(state).finally(() => (state.attempt = undefined))),
    isLeader: () => state.leader,
    isDatabaseReachable: () => state.reachable,
    lastError: () => state.failure,
    problem: () => state.refusal ?? state.aside,
    skewMs: () => state.skewMs,
    close: () => close(state),
  };
}

function lose(state: LeaderState, reason: unknown) {
  state.leader = false;
  state.options.logger.warn('leader_lost', { error: reason });
  state.options.onLost?.(reason);
}

function forget(state: LeaderState, reason: unknown) {
  const current = state.session;
  state.session = undefined;
  state.reachable = false;
  if (state.leader) lose(state, reason);
  current?.client.end().catch(() => {});
}

/** Never lead on this connection again: say why once, and keep saying it in /healthz. */
function refuse(state: LeaderState, reason: string) {
  if (state.leader) lose(state, reason);
  state.refusal = `refusing to lead: ${reason}; ${advice}`;
  state.options.logger.error('leader_session_unverified', { reason, advice });
}

async function connect(state: LeaderState): Promise<Session> {
  const client = state.openSession();
  client.on('error', (error) => {
    if (state.session?.client === client) forget(state, error);
  });
  await client.connect();
  const token = randomUUID();
  const { rows } = await client.query<{ pid: number; standby: boolean }>(`SELECT pg_backend_pid() AS pid, pg_is_in_recovery() AS standby, set_config('${tokenSetting}', $1, false)`, [token]);
  const { pid, standby } = rows[0]!;
  // A hot standby's advisory locks are its own: replicas whose lock connections reach different servers all lead.
  if (standby) state.options.logger.warn('leader_lock_on_standby', { problem: standbyLockProblem });
  // pg keeps null when the server sent no BackendKeyData; a session that does not say is taken at its word
  const proxied = client.processID !== undefined && client.processID !== pid;
  if (proxied && !state.options.sessionPooler) refuse(state, `the lock connection goes through a proxy (it announced pid ${client.processID}, its server backend is ${pid}), which may be a pooler in transaction mode`);
  else if (state.options.leaseMs) await setLease(state, client, state.options.leaseMs); // never on a backend a pooler may share
  return { client, pid, token };
}

/** The server ends the session once it has been idle this long: a frozen leader's lock is freed. */
async function setLease(state: LeaderState, client: LockSession, leaseMs: number) {
  await client.query("SELECT set_config('idle_session_timeout', $1, false)", [`${leaseMs}ms`]).catch((error: unknown) =>
    state.options.logger.warn('leader_lease_unavailable', { error, consequence: 'a frozen leader keeps the lock until it is restarted (idle_session_timeout needs PostgreSQL 14)' }),
  );
}

async function tryToLead(state: LeaderState): Promise<boolean> {
  // Proven once, a shared session stays suspect: a new one could land on the very backend another
  // replica leads from and take over its lock within the same tick.
  if (state.closed || state.refusal) return false;
  try {
    const current = (state.session ??= await connect(state));
    state.reachable = true;
    state.failure = null;
    if (state.refusal) return false;
    const asked = Date.now();
    // Standing aside, it does not even take the lock for a moment: that moment could be the very one
    // a replica with a good clock asks for it, and lose it its tick. Once its clock is right again,
    // it tries on the next check.
    const { rows } = await current.client.query<{ pid: number; verdict: Verdict; database_now: Date }>(checkSql, [state.options.lockKey, current.pid, current.token, state.leader, ...state.halves, state.aside !== null]);
    const seen = rows[0]!;
    const skewMs = clockSkewMs(seen.database_now.getTime(), (asked + Date.now()) / 2);
    state.skewMs = skewMs;
    if (state.session !== current || state.closed) return false; // the session failed or the leader closed meanwhile
    const problem = problemOf(seen.verdict, seen.pid, current.pid, state.leader);
    if (problem) {
      refuse(state, problem);
      return false;
    }
    return await follow(state, current, seen.verdict, skewMs);
  } catch (error) {
    forget(state, error);
    state.failure = error;
    return false;
  }
}

/** Acts on a verdict from a session of this replica's own: leads, or stands aside while its clock is off. */
async function follow(state: LeaderState, current: Session, verdict: Verdict, skewMs: number): Promise<boolean> {
  const { logger, lockKey } = state.options;
  const leading = verdict === 'acquired' || verdict === 'held';
  state.aside = skewProblem(skewMs, state.options.clockSkewLimitMs ?? Number.POSITIVE_INFINITY);
  if (state.aside) {
    // A replica with a better clock may lead: give the lock back, and say why once per stretch.
    if (leading) await current.client.query(unlockSql, [lockKey]);
    if (state.leader) lose(state, state.aside);
    if (leading || !state.asideLogged) logger.error('leader_stood_aside', { reason: state.aside });
    state.asideLogged = true;
    return false;
  }
  state.asideLogged = false;
  if (verdict === 'acquired') logger.info('leader_elected', { lockKey });
  state.leader = leading;
  return state.leader;
}

/** A statement on the lock session between ticks, so the server does not end a running replica's lease. */
function keepLease(state: LeaderState) {
  if (state.attempt) return; // the check itself is one
  state.session?.client.query('SELECT 1').catch(() => {}); // a session that failed is dropped by its 'error' listener or the next check
}

/** Ends the session after the attempt under way, which releases the lock at once. */
async function close(state: LeaderState) {
  state.closed = true;
  clearInterval(state.heartbeat);
  await state.attempt;
  const current = state.session;
  state.session = undefined;
  state.leader = false;
  await current?.client.end().catch(() => {});
}
