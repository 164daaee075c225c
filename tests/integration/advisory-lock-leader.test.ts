import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../worker/logger.ts';
import { createAdvisoryLockLeader, lockKeyFor, type Leader, type LockSession } from '../../worker/postgres/advisory-lock-leader.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { viaPort } from '../support/worker-process.ts';

describe('advisory lock leader', () => {
  let database: TestDatabase;
  const leaders: Leader[] = [];
  const logger = createLogger(() => {});
  const make = (key = lockKeyFor('file:///srv/governance-status.json'), url = database.readerUrl, openSession?: () => LockSession) => {
    const leader = createAdvisoryLockLeader({ connectionString: url, lockKey: key, logger, openSession });
    leaders.push(leader);
    return leader;
  };
  const lockSessions = async () => {
    const { rows } = await database.admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'governance-status-worker-leader' AND datname = $1",
      [database.name],
    );
    return rows[0]!.n;
  };

  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'graph_runs' });
  });
  afterAll(async () => {
    await Promise.all(leaders.map((leader) => leader.close()));
    await database?.drop();
  });

  it('answers overlapping calls with one session and one answer', async () => {
    const first = make();
    expect(await Promise.all([first.shouldRun(), first.shouldRun(), first.shouldRun()])).toEqual([true, true, true]);
    expect(first.isLeader()).toBe(true);
    expect(await lockSessions()).toBe(1);

    const second = make();
    expect(await Promise.all([second.shouldRun(), second.shouldRun()])).toEqual([false, false]);
    expect(second.isDatabaseReachable()).toBe(true);
    expect(await lockSessions()).toBe(2); // at most one lock connection per replica

    await first.close(); // ends the session: the lock is free at once
    expect(await second.shouldRun()).toBe(true);
    expect(await first.shouldRun()).toBe(false); // closed for good
    await second.close();
    expect(await lockSessions()).toBe(0);
  });

  it('elects independently for different destinations', async () => {
    const a = make(lockKeyFor('s3://a/governance-status.json'));
    const b = make(lockKeyFor('s3://b/governance-status.json'));
    expect([await a.shouldRun(), await b.shouldRun()]).toEqual([true, true]);
  });

  it('is no leader, and says why, while the database is out of reach', async () => {
    const unreachable = make(undefined, viaPort(database.readerUrl, 1));
    expect(await unreachable.shouldRun()).toBe(false);
    expect(unreachable.isDatabaseReachable()).toBe(false);
    expect(unreachable.lastError()).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a read-only role without BYPASSRLS may take the lock', async () => {
    const { rows } = await database.admin.query('SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = $1', [new URL(database.readerUrl).username]);
    expect(rows[0]).toEqual({ rolbypassrls: false, rolsuper: false });
    const client = new pg.Client({ connectionString: database.readerUrl });
    await client.connect();
    try {
      await client.query('BEGIN READ ONLY');
      const { rows: locked } = await client.query('SELECT pg_try_advisory_xact_lock(42) AS ok');
      expect(locked[0]).toEqual({ ok: true });
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  });

  it('on a direct connection, the check passes on every tick: the same backend holds the lock', async () => {
    const heldLocks = async () => {
      const { rows } = await database.admin.query(
        "SELECT coalesce(sum(count), 0)::int AS n FROM (SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted AND a.datname = $1) counted",
        [database.name],
      );
      return rows[0].n as number;
    };
    const before = await heldLocks();
    const direct = make(lockKeyFor('s3://direct/governance-status.json'));
    for (let tick = 0; tick < 3; tick += 1) expect(await direct.shouldRun()).toBe(true);
    expect(direct.problem()).toBeNull();
    expect(await heldLocks()).toBe(before + 1); // one lock, held by its own session
    await direct.close();
  });
});

// Sessions that misbehave as a transaction-pooling PgBouncer does, over real PostgreSQL connections.
describe('advisory lock leader behind a pooler that is not a session', () => {
  let database: TestDatabase;
  const leaders: Leader[] = [];
  const clients: pg.Client[] = [];
  const logs: Array<{ event: string; reason?: string }> = [];
  const logger = createLogger((line) => logs.push(JSON.parse(line)));
  const key = lockKeyFor('s3://pooled/governance-status.json');
  const realClient = () => {
    const client = new pg.Client({ connectionString: database.readerUrl, application_name: 'governance-status-worker-leader' });
    clients.push(client);
    return client;
  };
  /** Sessions that are all one server connection, as a pooler in transaction mode may hand out. The
   *  fakes say no announced pid (processID), so only the check's pid and token are at work, unless a
   *  test gives one that is not the backend's, as PgBouncer's is: then the replica knows it is proxied. */
  const sharedSession = (server: pg.Client, processID?: number) => {
    let connected: Promise<unknown> | undefined;
    return (): LockSession => ({
      processID,
      connect: () => (connected ??= server.connect()),
      end: async () => {},
      on: (event, listener) => server.on(event, listener),
      query: (text, values) => server.query(text, values),
    });
  };
  const leaderOn = (openSession: () => LockSession, onLost?: (reason: unknown) => void, sessionPooler = false) => {
    const leader = createAdvisoryLockLeader({ connectionString: 'postgres://unused', lockKey: key, logger, openSession, onLost, sessionPooler });
    leaders.push(leader);
    return leader;
  };
  const advisoryLocks = async () => {
    const { rows } = await database.admin.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = $1)", [database.name]);
    return rows[0].n as number;
  };

  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'graph_runs' });
  });
  afterEach(async () => {
    await Promise.all(leaders.splice(0).map((leader) => leader.close()));
    await Promise.all(clients.splice(0).map((client) => client.end().catch(() => {})));
    logs.splice(0);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('a pooler that drops the lock between transactions: the leader notices on its next tick and refuses', async () => {
    // Like a pooler that resets its server connections after every transaction (server_reset_query_always).
    const dropsTheLock = (): LockSession => {
      const client = realClient();
      let statements = 0;
      return {
        connect: () => client.connect(),
        end: () => client.end(),
        on: (event, listener) => client.on(event, listener),
        async query(text, values) {
          if (statements++ >= 2) await client.query('SELECT pg_advisory_unlock_all()');
          return client.query(text, values);
        },
      };
    };
    const lost: unknown[] = [];
    const leader = leaderOn(dropsTheLock, (reason) => lost.push(reason));
    expect(await leader.shouldRun()).toBe(true); // took the lock
    expect(lost).toEqual([]);
    expect(await leader.shouldRun()).toBe(false); // the next tick finds it gone
    expect(lost).toEqual([expect.stringMatching(/vanished/)]); // main.ts aborts a snapshot still in flight on this
    expect(leader.isLeader()).toBe(false);
    expect(leader.problem()).toMatch(/^refusing to lead: the leader lock vanished from the lock connection's session.*LEADER_DATABASE_URL/);
    expect(await leader.shouldRun()).toBe(false); // and stays refused
    expect(logs.filter((line) => line.event === 'leader_session_unverified')).toHaveLength(1);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'leader_lost' }));
  });

  it('transaction pooling over two server connections: the backend changes, nobody leads, no lock is left behind', async () => {
    const alternates = (): LockSession => {
      const servers = [realClient(), realClient()];
      let next = 0;
      return {
        connect: async () => {
          await Promise.all(servers.map((server) => server.connect()));
        },
        end: async () => {
          await Promise.all(servers.map((server) => server.end()));
        },
        on: (event, listener) => servers.forEach((server) => server.on(event, listener)),
        query: (text, values) => servers[next++ % 2]!.query(text, values),
      };
    };
    const replicas = [leaderOn(alternates), leaderOn(alternates), leaderOn(alternates)];
    for (let tick = 0; tick < 3; tick += 1) {
      const elected = await Promise.all(replicas.map((replica) => replica.shouldRun()));
      expect(elected.filter(Boolean).length).toBeLessThanOrEqual(1);
    }
    for (const replica of replicas) expect(replica.problem()).toMatch(/ran this statement on another server backend \(pid \d+, not \d+\): a pooler in transaction mode/);
    expect(await advisoryLocks()).toBe(0); // the check never took a lock on a backend that was not its own
  });

  it('two replicas on one shared server connection: at most one leads once, then both refuse', async () => {
    const shared = sharedSession(realClient());
    const first = leaderOn(shared);
    const second = leaderOn(shared);
    expect(await first.shouldRun()).toBe(true); // alone so far: indistinguishable from a session
    expect(await second.shouldRun()).toBe(false); // its fresh "session" already holds the lock
    expect(second.problem()).toMatch(/already held the lock this replica never took: it is shared with another client/);
    expect(await first.shouldRun()).toBe(false); // its token was overwritten: it notices too
    expect(first.problem()).toMatch(/another client changed the lock connection's session/);
    expect([first.isLeader(), second.isLeader()]).toEqual([false, false]);
  });

  it('a third replica that joins a shared, already-suspect session refuses at once', async () => {
    const shared = sharedSession(realClient());
    const [a, b, c] = [leaderOn(shared), leaderOn(shared), leaderOn(shared)];
    // all connect (the last token wins), then each checks: only the owner of the token may try
    await Promise.all([a, b, c].map((replica) => replica.shouldRun()));
    await Promise.all([a, b, c].map((replica) => replica.shouldRun()));
    expect([a, b, c].filter((replica) => replica.isLeader())).toHaveLength(0);
    expect([a, b, c].every((replica) => replica.problem() !== null)).toBe(true);
  });

  // PgBouncer announces a pid of its own at connect, in every pool mode: the replica knows it is proxied.
  const pooled = 0;
  /** A session on `client` that says it is behind a proxy. */
  const proxiedOn = (client: pg.Client, hooks: { end?: () => void } = {}): LockSession => ({
    processID: pooled,
    connect: () => client.connect(),
    end: () => client.end().finally(() => hooks.end?.()),
    on: (event, listener) => client.on(event, listener),
    query: (text, values) => client.query(text, values),
  });
  const locksOf = async (pid: number) => {
    const { rows } = await database.admin.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = $1", [pid]);
    return rows[0].n as number;
  };

  it('behind a proxy the operator did not vouch for, a replica refuses on its first tick, even alone on its backend, and takes no lock', async () => {
    // What CI once saw: the other replicas had refused, a lock stayed on another server connection,
    // and the last replica's checks all ran on a backend nobody else used, so its token held.
    const leftBehind = realClient();
    await leftBehind.connect();
    await leftBehind.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    const server = realClient();
    const alone = leaderOn(sharedSession(server, pooled));
    expect(await alone.shouldRun()).toBe(false);
    expect(alone.problem()).toMatch(/^refusing to lead: the lock connection goes through a proxy \(it announced pid 0, its server backend is \d+\), which may be a pooler in transaction mode.*LEADER_POOLER=session/);
    expect(alone.isDatabaseReachable()).toBe(true);
    expect(await alone.shouldRun()).toBe(false);
    expect(logs.filter((line) => line.event === 'leader_session_unverified')).toHaveLength(1);
    expect(logs.filter((line) => line.event === 'leader_elected')).toEqual([]);
    const { rows } = await server.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(await locksOf(rows[0]!.pid)).toBe(0); // nothing taken for the next replica to wait on
  });

  it('a leader behind a pooler the operator says is in session mode leads, on one connection', async () => {
    let ended = 0;
    const leader = leaderOn(() => proxiedOn(realClient(), { end: () => void (ended += 1) }), undefined, true);
    for (let tick = 0; tick < 3; tick += 1) expect(await leader.shouldRun()).toBe(true);
    expect(leader.problem()).toBeNull();
    expect(clients).toHaveLength(1);
    await leader.close();
    expect(ended).toBe(1);
  });

  it('a lock session that fails loses the lead; a new session takes the lock once the old backend is gone, never "vanished"', async () => {
    const lost: unknown[] = [];
    const sessions: pg.Client[] = [];
    const factory = (): LockSession => {
      const client = realClient();
      sessions.push(client);
      return proxiedOn(client);
    };
    const leader = leaderOn(factory, (reason) => lost.push(reason), true);
    expect(await leader.shouldRun()).toBe(true);
    sessions[0]!.emit('error', new Error('server closed the connection unexpectedly'));
    expect(leader.isLeader()).toBe(false);
    expect(lost).toEqual([expect.objectContaining({ message: 'server closed the connection unexpectedly' })]);
    // busy until the dead session's backend has gone, then the lead again
    await vi.waitFor(async () => expect(await leader.shouldRun()).toBe(true), { timeout: 10_000, interval: 50 });
    expect(leader.problem()).toBeNull();
  });
});
