// Three worker replicas behind Debian's PgBouncer, in front of the test PostgreSQL. Transaction
// pooling cannot hold a session lock: the replicas must never publish more than once per tick and
// must say what is wrong. Session pooling is a real session: exactly one leads, and a killed leader
// is replaced. Without PgBouncer the test says so (the fakes in advisory-lock-leader.test.ts still run).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedScenario } from '../fixtures/scenario.ts';
import { findPgBouncer, startPgBouncer, type PgBouncer } from '../support/pgbouncer.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startWorker, stopWorker, ticksOf, waitForTicks, type WorkerProcess } from '../support/worker-process.ts';
import { findFreePort } from '../../scripts/embedded-postgres.ts';


const publishes = (worker: WorkerProcess, from = 0) => worker.logs.slice(from).filter((line) => line.event === 'snapshot_published');
const healthOf = async (port: number) => {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: response.status, body: (await response.json()) as { status: string; role: string; reason: string | null } };
};

describe('behind PgBouncer', () => {
  let database: TestDatabase;
  let bouncer: PgBouncer | undefined;
  let folder: string;
  let replicas: Array<{ worker: WorkerProcess; healthPort: number }> = [];
  /** why PgBouncer cannot run here (not installed, no user to run it as, it fails to start), or null */
  let cannotRun: string | null = null;

  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'graph_runs' });
    await seedScenario(database.admin, 'graph_runs');
    folder = await mkdtemp(join(tmpdir(), 'governance-pgbouncer-out-'));
    const found = findPgBouncer();
    if ('missing' in found) cannotRun = found.missing;
    else {
      try {
        await (await startPgBouncer({ readerUrl: database.readerUrl, poolMode: 'session', poolSize: 1 })).stop();
      } catch (error) {
        cannotRun = `pgbouncer cannot run here: ${(error as Error).message}`;
      }
    }
    // Said loudly: the verification logic is still tested against fakes in advisory-lock-leader.test.ts.
    if (cannotRun) console.warn(`pgbouncer.test.ts skipped: ${cannotRun}`);
  });
  afterEach(async () => {
    await Promise.all(replicas.map(({ worker }) => stopWorker(worker)));
    replicas = [];
    await bouncer?.stop();
    bouncer = undefined;
  });
  afterAll(async () => {
    await database?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** Each replica's ticks so far: counted from there, every standby has read the destination since the first snapshot. */
  const ticksAfterFirstSnapshot = () => Promise.all(replicas.map(({ healthPort }) => ticksOf(healthPort)));

  /** Sidecars on one destination, every connection (snapshots and the lock) through PgBouncer unless told. */
  async function startReplicas(name: string, { count = 3, env = {} }: { count?: number; env?: Record<string, string> } = {}) {
    const started = [];
    for (let i = 0; i < count; i += 1) {
      const healthPort = await findFreePort();
      const worker = startWorker([], {
        DATABASE_URL: bouncer!.url,
        SNAPSHOT_DESTINATION: pathToFileURL(join(folder, name, 'governance-status.json')).href,
        SNAPSHOT_CRON: '* * * * * *',
        HEALTH_PORT: String(healthPort),
        ...env,
      });
      started.push({ worker, healthPort });
    }
    replicas.push(...started);
    await Promise.all(started.map(({ worker }) => worker.waitFor('worker_started', { timeoutMs: 30_000 })));
    return started;
  }


  it('transaction mode: never more than one publish per tick, and every replica reports the misconfiguration', async (context) => {
    context.skip(cannotRun !== null, cannotRun ?? undefined);
    // a small pool, as in production: replicas share server connections between transactions
    bouncer = await startPgBouncer({ readerUrl: database.readerUrl, poolMode: 'transaction', poolSize: 2 });
    await startReplicas('transaction');
    await Promise.all(replicas.map(({ worker }) => worker.waitFor('leader_session_unverified', { timeoutMs: 30_000 })));

    // Nobody publishes on a lock it cannot verify: each replica knows on its first look at the
    // connection, before it takes any lock, that it goes through a proxy nobody vouched for. Counted
    // in ticks, not seconds: every replica has counted four of its own (a refused tick as skipped, a
    // published one as success), and none of them published.
    await waitForTicks(replicas.map(({ healthPort }) => healthPort), 4);
    expect(replicas.flatMap(({ worker }) => publishes(worker))).toEqual([]);

    for (const { worker, healthPort } of replicas) {
      const line = worker.logs.find((entry) => entry.event === 'leader_session_unverified')!;
      expect(line).toMatchObject({ level: 'error', advice: expect.stringContaining('session mode (LEADER_DATABASE_URL)') });
      const health = await healthOf(healthPort);
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'unhealthy', role: 'standby', reason: expect.stringMatching(/^refusing to lead: .*pooler/) });
    }

    // Every replica gone, a lock may stay behind on a pooled server connection. A fresh replica must
    // not stand by in silence with /healthz 200 while nobody publishes: alone on its pooled backend
    // its token holds, and the proxy it connects through is what gives it away.
    await Promise.all(replicas.splice(0).map(({ worker }) => stopWorker(worker)));
    const [fresh] = await startReplicas('transaction', { count: 1 });
    // past its first ticks and its grace of one staleAfter (three ticks): the start-up attempt and four ticks
    await waitForTicks([fresh!.healthPort], 5);
    const health = await healthOf(fresh!.healthPort);
    expect(health.status).toBe(503);
    expect(health.body.reason).toMatch(/^refusing to lead: .*pooler/);
    expect(fresh!.worker.logs.filter((line) => line.event === 'leader_session_unverified')).toHaveLength(1);
    expect(publishes(fresh!.worker)).toEqual([]);
  });

  it('transaction mode for the snapshots, a direct connection for the lock (LEADER_DATABASE_URL): works', async (context) => {
    context.skip(cannotRun !== null, cannotRun ?? undefined);
    bouncer = await startPgBouncer({ readerUrl: database.readerUrl, poolMode: 'transaction', poolSize: 2 });
    await startReplicas('split', { env: { LEADER_DATABASE_URL: database.readerUrl } });
    await Promise.race(replicas.map(({ worker }) => worker.waitFor('snapshot_published', { timeoutMs: 30_000 })));
    // Four ticks of every replica's own after the first snapshot (a standby reads the destination at each,
    // and may have counted its first ticks before it was there): the leader published on its ticks, the others left theirs to it.
    await waitForTicks(replicas.map(({ healthPort }) => healthPort), 4, await ticksAfterFirstSnapshot());
    const counts = replicas.map(({ worker }) => publishes(worker).length);
    expect(counts.filter((count) => count > 0)).toHaveLength(1);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(2);
    for (const { worker, healthPort } of replicas) {
      expect(worker.logs.filter((line) => line.event === 'leader_session_unverified')).toEqual([]);
      expect((await healthOf(healthPort)).status).toBe(200);
    }
  });

  it('session mode: exactly one leads, the others stand by healthy, and a killed leader is replaced', async (context) => {
    context.skip(cannotRun !== null, cannotRun ?? undefined);
    // two connections per replica (snapshots and the lock), and room for a replacement
    bouncer = await startPgBouncer({ readerUrl: database.readerUrl, poolMode: 'session', poolSize: 10 });
    await startReplicas('session', { env: { LEADER_POOLER: 'session' } });
    await Promise.race(replicas.map(({ worker }) => worker.waitFor('snapshot_published', { timeoutMs: 30_000 })));
    await waitForTicks(replicas.map(({ healthPort }) => healthPort), 4, await ticksAfterFirstSnapshot());
    const counts = replicas.map(({ worker }) => publishes(worker).length);
    expect(counts.filter((count) => count > 0)).toHaveLength(1);
    const leaderIndex = counts.findIndex((count) => count > 0);
    const leader = replicas[leaderIndex]!;
    const standbys = replicas.filter((_, index) => index !== leaderIndex);
    for (const { worker } of replicas) expect(worker.logs.filter((line) => line.event === 'leader_session_unverified')).toEqual([]);
    for (const { healthPort } of standbys) expect(await healthOf(healthPort)).toMatchObject({ status: 200, body: { role: 'standby', reason: null } });

    // Killed without a word: PgBouncer sees its client go, resets the server connection (DISCARD ALL
    // releases session advisory locks), and a standby takes the lock on its next tick.
    const marks = standbys.map(({ worker }) => worker.logs.length);
    leader.worker.child.kill('SIGKILL');
    await leader.worker.exited;
    await Promise.race(standbys.map(({ worker }, index) => worker.waitFor('snapshot_published', { after: marks[index], timeoutMs: 20_000 })));
    // three more ticks of each standby's own since the new leader's first publish
    const ticksThen = await Promise.all(standbys.map(({ healthPort }) => ticksOf(healthPort)));
    await waitForTicks(standbys.map(({ healthPort }) => healthPort), 3, ticksThen);
    const after = standbys.map(({ worker }, index) => publishes(worker, marks[index]).length);
    expect(after.filter((count) => count > 0)).toHaveLength(1); // still exactly one writer
  });
});
