// GovernanceStatusPort over node-postgres. Side effects: checks one client out of the pool per read
// and runs one READ ONLY, REPEATABLE READ transaction on it (every figure from the same instant), with
// the tenant, a statement, lock and idle timeout and jit = off set transaction-locally. It never writes.
import pg, { type Pool, type PoolClient } from 'pg';
import type { DatabaseClock, GovernanceQuery, GovernanceStatusPort, Logger, TickFacts } from '../../shared/ports.ts';
import { findLedger, readBalance, readCharters, readEarlierRuns, readRuns, readSpend, readSpendByDay, readThreads, type Ledger } from './queries.ts';
import { readDailyUsage, readWindowUsage } from './usage-queries.ts';
import { dataAsOfMs } from '../../shared/clock.ts';
import { rowSecurityProblem, tablesRead } from '../../shared/row-security.ts';

export type PostgresSourceOptions = {
  statementTimeoutMs: number;
  /** how long a statement may wait for a lock (a migration's DDL) before the read gives up */
  lockTimeoutMs?: number;
  /** a worker frozen inside its transaction (a paused container) loses it, and its locks, after this */
  idleInTransactionTimeoutMs?: number;
  /** cancels a backend whose statement outlived the client-side timeout (a separate connection) */
  cancelBackend?: (pid: number) => Promise<void>;
  /** whose clock is the tick's: the transaction's timestamp (always, in the worker), or the worker's
   *  as the request gives it (tests whose fixtures are pinned in time) */
  databaseClock?: 'transaction' | 'worker';
};

type ClockRow = { now: Date; replica: boolean; replayed: Date | null; caught_up: boolean | null; receiving: boolean; lsn: string | null };

/** A pg_lsn's text ("16/B374D848": two 32-bit halves in hex) as a number, or null. */
const lsnOf = (text: string | null): bigint | null => {
  const halves = text?.match(/^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i);
  return halves ? (BigInt(`0x${halves[1]}`) << 32n) | BigInt(`0x${halves[2]}`) : null;
};

/** The tick's instant is the transaction's own timestamp; how recent the data is, shared/clock.ts decides. */
function clockOf(row: ClockRow, pinned: Date | null): DatabaseClock {
  if (pinned) return { now: pinned, dataAsOf: pinned, replica: row.replica };
  const asOf = dataAsOfMs({ now: row.now.getTime(), replica: row.replica, replayedMs: row.replayed?.getTime() ?? null, caughtUp: row.caught_up === true, receiving: row.receiving });
  if (typeof asOf === 'string') throw new Error(asOf);
  return { now: row.now, dataAsOf: new Date(asOf), replica: row.replica, lsn: lsnOf(row.lsn) };
}

export const defaultLockTimeoutMs = 200;

/** node-postgres's message when its client-side query_timeout fires: the server may still be working. */
const clientTimeout = /Query read timeout/;

/**
 * The two ways a polite guest gives up, in words an operator can act on; the SQLSTATE stays as the
 * code. 55P03: a lock wait passed lock_timeout. 25P03: the session sat idle inside its transaction
 * (the worker was frozen) past idle_in_transaction_session_timeout, and the server ended it.
 */
function explained(error: unknown, settings: { lockTimeoutMs: number; idleMs: number }): unknown {
  const code = (error as { code?: unknown }).code;
  const say = (message: string) => Object.assign(new Error(message, { cause: error }), { code });
  if (code === '55P03') {
    return say(`gave up waiting for a lock after lock_timeout (${settings.lockTimeoutMs} ms): another session, e.g. a migration, holds a table the snapshot reads`);
  }
  if (code === '25P03') {
    return say(`the server ended the session after idle_in_transaction_session_timeout (${settings.idleMs} ms): the worker was paused inside its transaction`);
  }
  return error;
}

/**
 * A statement that outlived the client-side timeout is still running on the server (a JIT-compiling
 * or lock-waiting backend goes on, holding its locks, after the client has given up): cancel it there
 * too, from a connection of its own.
 */
export function createBackendCanceller(connectionString: string, logger: Logger): (pid: number) => Promise<void> {
  return async (pid) => {
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000, query_timeout: 5_000, application_name: 'governance-status-worker-cancel' });
    client.on('error', () => {});
    try {
      await client.connect();
      const { rows } = await client.query<{ cancelled: boolean }>('SELECT pg_cancel_backend($1) AS cancelled', [pid]);
      logger.warn('statement_cancelled', { pid, cancelled: rows[0]?.cancelled === true });
    } catch (error) {
      logger.warn('statement_cancel_failed', { pid, error });
    } finally {
      await client.end().catch(() => {});
    }
  };
}

/** What every transaction of one source is set up with, resolved once from its options. */
type SnapshotSettings = {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleMs: number;
  cancelBackend: PostgresSourceOptions['cancelBackend'];
  /** the tick's instant when the worker's clock is the tick's (tests pinned in time), or null */
  pinned: (workerNow: Date) => Date | null;
};

export function createPostgresGovernanceSource(pool: Pool, options: PostgresSourceOptions): GovernanceStatusPort {
  const settings: SnapshotSettings = {
    statementTimeoutMs: options.statementTimeoutMs,
    lockTimeoutMs: options.lockTimeoutMs ?? defaultLockTimeoutMs,
    idleMs: options.idleInTransactionTimeoutMs ?? options.statementTimeoutMs * 2,
    cancelBackend: options.cancelBackend,
    pinned: (workerNow) => (options.databaseClock === 'worker' ? workerNow : null),
  };
  const inSnapshot = <T>(principalId: string, read: SnapshotRead<T>, workerNow: Date | null = null) => readInSnapshot(pool, settings, principalId, read, workerNow);
  return {
    readTick: (request) => inSnapshot(request.principalId, async (client, ledger, clock) => readTickFacts(client, ledger, request.plan(clock), clock), request.workerNow),
    readClock: (request) => inSnapshot(request.principalId, async (_client, _ledger, clock) => clock, request.workerNow),
    readEarlierRuns: (query) => inSnapshot(query.principalId, (client, ledger) => readEarlierRuns(client, ledger, query)),
    readHistory: (query) =>
      inSnapshot(query.principalId, async (client, ledger) => ({
        schedules: (await readCharters(client, ledger, { principalId: query.principalId, earlierBefore: null })).schedules,
        runs: await readRuns(client, ledger, { principalId: query.principalId, from: query.from, to: query.to, toInclusive: false, messages: null }),
        spendByDay: await readSpendByDay(client, query),
        usageByDay: await readDailyUsage(client, { billingAccountId: query.billingAccountId, from: query.from, to: query.to }),
      })),
    readDayUsage: (query) => inSnapshot(query.principalId, (client) => readDailyUsage(client, { billingAccountId: query.billingAccountId, from: query.from, to: query.to })),
  };
}

type SnapshotRead<T> = (client: PoolClient, ledger: Ledger, clock: DatabaseClock) => Promise<T>;

/** One tick's facts, every one inside the same transaction, in the windows the plan gave. */
async function readTickFacts(client: PoolClient, ledger: Ledger, query: GovernanceQuery, clock: DatabaseClock): Promise<TickFacts> {
  const balanceCredits = await readBalance(client, query);
  const spend = await readSpend(client, query);
  const { schedules, earlier } = await readCharters(client, ledger, { principalId: query.principalId, earlierBefore: query.windowStart });
  const runs = await readRuns(client, ledger, {
    principalId: query.principalId,
    from: query.runsFrom,
    to: query.now,
    toInclusive: true,
    messages: { from: query.failedFrom, limit: query.failedLimit },
  });
  const threads = await readThreads(client, ledger, query);
  const usage = await readWindowUsage(client, { billingAccountId: query.billingAccountId, ranges: query.usageRanges ?? [{ from: query.spendFrom, to: query.now }] });
  return { clock, query, ledger: ledger.table, balanceCredits, spentSinceSpendFrom: spend.total, spendByHour: spend.spendByHour, schedules, runs, earlier, threads, usage };
}

/** One client, one READ ONLY, REPEATABLE READ transaction with the tenant and the timeouts set in it; `read` runs inside. */
async function readInSnapshot<T>(pool: Pool, settings: SnapshotSettings, principalId: string, read: SnapshotRead<T>, workerNow: Date | null): Promise<T> {
  const { lockTimeoutMs, idleMs } = settings;
  const client = await pool.connect();
  let broken: Error | undefined;
  let pid: number | undefined;
  // While a client is checked out the pool does not listen to it: an error the server sends between
  // two statements (it ended a session that sat idle in its transaction while the worker was
  // frozen, or it shut down) would be an unhandled 'error' event and crash the process.
  let lost: Error | undefined;
  const onLost = (error: Error) => {
    lost ??= error;
  };
  client.on('error', onLost);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const row = await setUpTransaction(client, settings, principalId);
    pid = row.pid;
    const result = await read(client, await findLedger(client), clockOf(row, workerNow && settings.pinned(workerNow)));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (error instanceof Error && clientTimeout.test(error.message)) {
      broken = error; // the connection is still busy with the statement: never pool it again
      if (pid !== undefined) await settings.cancelBackend?.(pid).catch(() => {});
    } else {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError; // the connection is unusable: drop it instead of pooling it
      });
    }
    // After a lost session the next statement only says "not queryable": the server's reason is better.
    throw explained(lost ?? error, { lockTimeoutMs, idleMs });
  } finally {
    client.off('error', onLost);
    client.release(broken ?? lost);
  }
}

/** The transaction's settings, its backend's pid and its clock; refuses a role that row-level security does not filter on every table read. */
async function setUpTransaction(client: PoolClient, settings: SnapshotSettings, principalId: string) {
  // Bound parameters, transaction-local: RLS sees the system principal and nothing else. These are
  // small index reads: JIT compilation only ever costs here, and a JIT-compiling backend does not
  // answer a cancel, so it is off.
  const { rows } = await client.query<{ role: string; bypasses_rls: boolean; unguarded: string[]; pid: number } & ClockRow>(
    `SELECT set_config('app.current_user_id', $1, true), set_config('statement_timeout', $2, true),
            set_config('lock_timeout', $3, true), set_config('idle_in_transaction_session_timeout', $4, true),
            set_config('jit', 'off', true), pg_backend_pid() AS pid,
            current_user AS role, (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) AS bypasses_rls,
            ARRAY(SELECT t FROM unnest($5::text[]) t
                   WHERE to_regclass(t) IS NOT NULL AND has_any_column_privilege(to_regclass(t), 'SELECT')
                     AND NOT row_security_active(to_regclass(t)::oid)) AS unguarded,
            transaction_timestamp() AS now, pg_is_in_recovery() AS replica, pg_last_xact_replay_timestamp() AS replayed,
            -- <=, not =: a restarted standby counts as received only from the start of the WAL segment it
            -- resumes in, below what it replayed, until its primary writes again (an idle one may not for long)
            pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() AS caught_up,
            EXISTS (SELECT FROM pg_stat_wal_receiver) AS receiving,
            -- where the data stands in the WAL: a tick's data must not be older than the last one's (shared/clock.ts dataSince)
            CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text AS lsn`,
    [principalId, String(settings.statementTimeoutMs), String(settings.lockTimeoutMs), String(settings.idleMs), tablesRead],
  );
  const row = rows[0]!;
  // The file is public: only row-level security, not just our WHERE clauses, may decide what it shows.
  const problem = rowSecurityProblem(row.role, row.bypasses_rls, row.unguarded);
  if (problem) throw new Error(problem);
  return row;
}
