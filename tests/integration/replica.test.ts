// The worker pointed at a hot standby whose replay is paused while its primary goes on (issue 17,
// "a replica behind its primary"), or that is cut off from its primary: it judges the data as of the
// last transaction the standby replayed, says the data is behind once the lag passes the grace, never
// calls a charter missed for the lag, and agrees with the primary once the standby has caught up. A
// real streaming pair (support/replica.ts).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { applyCogniSchema, createReaderRole, grantReader } from '../../scripts/cogni/apply-schema.ts';
import type { GovernanceStatus } from '../../shared/contract.ts';
import { seedScenario, systemBillingAccountId, systemPrincipalId } from '../fixtures/scenario.ts';
import { createSnapshotBuilder, defaultRules, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createPostgresGovernanceSource } from '../../worker/postgres/postgres-governance-source.ts';
import { startStreamingReplica, type StreamingPair } from '../support/replica.ts';
import { startWorker } from '../support/worker-process.ts';
import { createLogger } from '../../worker/logger.ts';
import { createAdvisoryLockLeader, lockKeyFor } from '../../worker/postgres/advisory-lock-leader.ts';

const database = 'governance';
const reader = { role: 'governance_reader', password: randomBytes(18).toString('base64url') };
const graceSeconds = 10;
const pulseMs = 5_000; // the pulse charter fires every 5 seconds
const pulse = { id: '30000000-0000-4000-8000-000000000001', temporalId: 'governance:pulse', cron: '*/5 * * * * *' };
const latecomer = { id: '30000000-0000-4000-8000-000000000002', temporalId: 'governance:latecomer', cron: '0 * * * *' };
const newcomer = { id: '30000000-0000-4000-8000-000000000003', temporalId: 'governance:newcomer', cron: '0 * * * *' };

let pair: StreamingPair;
let primary: pg.Pool;

beforeAll(async () => {
  pair = await startStreamingReplica(async (url) => {
    const admin = new pg.Client({ connectionString: url('postgres') });
    await admin.connect();
    try {
      await createReaderRole(admin, reader); // roles are the cluster's: the standby gets it by the copy
      await admin.query(`CREATE DATABASE ${database}`);
    } finally {
      await admin.end();
    }
    const seed = new pg.Client({ connectionString: url(database) });
    await seed.connect();
    try {
      await applyCogniSchema(seed, 'graph_runs');
      await grantReader(seed, { role: reader.role, ledger: 'graph_runs' });
      await seedScenario(seed, 'graph_runs');
      // The scenario's Engineering is failing and its Community is paused: the pulse below is the one
      // charter that works, so a pulse judged "missed" for the lag would make every charter down.
      await seed.query("UPDATE schedules SET enabled = false WHERE temporal_schedule_id = 'governance:community'");
    } finally {
      await seed.end();
    }
  });
  primary = new pg.Pool({ connectionString: pair.primaryUrl(database), max: 2 });
  primary.on('error', () => {});
});
afterAll(async () => {
  await primary?.end();
  await pair?.stop();
});

/** A charter of the system principal, its schedule changed at `since` (its expectations start there). */
async function addCharter(charter: { id: string; temporalId: string; cron: string }, since: Date) {
  await primary.query(
    `INSERT INTO schedules (id, owner_user_id, execution_grant_id, graph_id, input, cron, timezone, enabled, temporal_schedule_id, updated_at)
     SELECT $1, $2, id, 'governance', '{}', $3, 'UTC', true, $4, $5 FROM execution_grants WHERE user_id = $2`,
    [charter.id, systemPrincipalId, charter.cron, charter.temporalId, since],
  );
}

/** One successful run of the pulse charter for each of its fires in [from, to], as its scheduler writes them. */
async function answerPulse(from: number, to: number) {
  await primary.query(
    `INSERT INTO graph_runs (schedule_id, run_id, scheduled_for, started_at, completed_at, status, requested_by, run_kind)
     SELECT $1, 'pulse-' || extract(epoch FROM fire)::bigint, fire, fire, fire + interval '1 second', 'success', $2, 'system_scheduled'
       FROM generate_series($3::timestamptz, $4::timestamptz, interval '5 seconds') AS fire`,
    [pulse.id, systemPrincipalId, new Date(from), new Date(to)],
  );
}

async function snapshotFrom(on: 'primary' | 'standby'): Promise<GovernanceStatus> {
  const worker = startWorker(['--once', '--stdout'], {
    DATABASE_URL: pair.readerUrl(on, database, reader),
    MISSED_RUN_GRACE_SECONDS: String(graceSeconds),
  });
  const code = await worker.exited;
  expect(code, worker.stderr()).toBe(0);
  return JSON.parse(worker.stdout()) as GovernanceStatus;
}

const stateOf = (snapshot: GovernanceStatus, name: string) => snapshot.charters.find((charter) => charter.name === name)?.state;
const codes = (snapshot: GovernanceStatus) => snapshot.reasons.map((reason) => reason.code);
/** what both must agree on, read a moment apart (the pulse's counts move every 5 seconds) */
const judgement = (snapshot: GovernanceStatus) => ({
  status: snapshot.status,
  reasons: snapshot.reasons.map(({ code, charterId }) => ({ code, charterId })),
  charters: snapshot.charters.map(({ id, state }) => ({ id, state })),
  failedRunsTotal: snapshot.failedRunsTotal,
  missedRunsTotal: snapshot.missedRunsTotal,
  systemCredits: snapshot.systemCredits,
});

describe('a hot standby whose replay is paused', () => {
  it('is judged as of its replay, says how far behind it is, misses nothing for the lag, and agrees with its primary once caught up', async () => {
    // The pulse charter has answered every fire up to now; the standby replays it, then stops replaying.
    const start = Math.floor(Date.now() / pulseMs) * pulseMs;
    await addCharter(pulse, new Date(start - 60_000));
    await answerPulse(start - 60_000, start);
    await pair.caughtUp();
    await pair.pauseReplay();

    // The primary goes on: the pulse charter answers its next fires, a charter is created.
    await answerPulse(start + pulseMs, start + 10 * 60_000);
    await addCharter(latecomer, new Date());
    // Past the grace and one fire more: judged at the standby's own clock, the pulse would have missed a run.
    await vi.waitFor(
      async () => expect(await pair.replayLagMs()).toBeGreaterThan((graceSeconds + 6) * 1000),
      { timeout: 60_000, interval: 500 },
    );
    const replayed = await pair.lastReplayed();
    const [behind, ahead] = await Promise.all([snapshotFrom('standby'), snapshotFrom('primary')]);

    expect(behind.dataAsOf).toBe(replayed!.toISOString());
    expect(Date.parse(behind.dataAsOf)).toBeLessThan(Date.parse(behind.generatedAt));
    expect(behind.reasons.find((reason) => reason.code === 'data_behind')).toMatchObject({
      severity: 'degraded',
      text: expect.stringMatching(/^The status is read from a replica [1-9]\d* (seconds?|minutes?) behind its primary/),
    });
    // Engineering fails and Community is paused: judged at the standby's clock, the pulse's lag would make every charter down
    expect(codes(behind)).not.toContain('all_charters_down');
    expect(behind.status).toBe('degraded');
    expect(stateOf(behind, 'Pulse')).toBe('ok');
    expect(behind.charters.filter((charter) => charter.state === 'missed')).toEqual([]);
    expect(behind.missedRunsTotal).toBe(0);
    expect(stateOf(behind, 'Latecomer')).toBeUndefined(); // created after the standby's data

    expect(ahead.dataAsOf).toBe(ahead.generatedAt);
    expect(codes(ahead)).not.toContain('data_behind');
    expect(stateOf(ahead, 'Pulse')).toBe('ok');
    expect(stateOf(ahead, 'Latecomer')).toBeDefined();
    expect(ahead.missedRunsTotal).toBe(0);

    // Replay resumes: once the standby has caught up, its data is as of now and it says what the primary says.
    await pair.resumeReplay();
    await pair.caughtUp();
    const [caughtUp, primaryNow] = await Promise.all([snapshotFrom('standby'), snapshotFrom('primary')]);
    expect(caughtUp.dataAsOf).toBe(caughtUp.generatedAt);
    expect(codes(caughtUp)).not.toContain('data_behind');
    expect(judgement(caughtUp)).toEqual(judgement(primaryNow));
  }, 180_000);
});

describe('a worker whose standby pauses its replay between two of its ticks', () => {
  it('publishes the second as of the first tick’s instant at least (its data holds all the first saw), not as of its last replayed transaction', async () => {
    const standby = new pg.Pool({ connectionString: pair.readerUrl('standby', database, reader), max: 2 });
    standby.on('error', () => {});
    const settings: SnapshotSettings = { principalId: systemPrincipalId, billingAccountId: systemBillingAccountId, staleAfterMs: () => 180_000, rules: { ...defaultRules, graceMs: graceSeconds * 1000 } };
    const builder = createSnapshotBuilder(createPostgresGovernanceSource(standby, { statementTimeoutMs: 5_000 }), settings, createLogger(() => {}));
    try {
      const commit = () => primary.query('SELECT pg_current_xact_id()'); // a transaction with an id: a commit record in the WAL
      await commit();
      await pair.caughtUp();
      const first = (await builder.build(new Date())).snapshot;
      expect(first.dataAsOf).toBe(first.generatedAt); // streaming, everything replayed: as of now
      await pair.pauseReplay();
      // the primary goes on; the standby receives its WAL and replays none of it
      await vi.waitFor(
        async () => {
          await commit();
          const { rows } = await standby.query<{ waiting: boolean }>('SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn() AS waiting');
          expect(rows[0]!.waiting).toBe(true);
        },
        { timeout: 30_000, interval: 500 },
      );
      const replayed = await pair.lastReplayed();
      expect(replayed!.getTime()).toBeLessThan(Date.parse(first.dataAsOf));
      const second = (await builder.build(new Date())).snapshot;
      expect(second.dataAsOf).toBe(first.dataAsOf);
      expect(Date.parse(second.generatedAt)).toBeGreaterThan(Date.parse(second.dataAsOf));
    } finally {
      await pair.resumeReplay();
      await standby.end();
    }
  }, 120_000);
});

describe('a worker started onto a standby behind the snapshot already published', () => {
  it('publishes nothing older than that snapshot, says why, and publishes once the standby has caught up', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'replica-restart-'));
    const destination = join(folder, 'governance-status.json');
    const once = async (on: 'primary' | 'standby') => {
      const worker = startWorker(['--once'], { DATABASE_URL: pair.readerUrl(on, database, reader), SNAPSHOT_DESTINATION: pathToFileURL(destination).href, MISSED_RUN_GRACE_SECONDS: String(graceSeconds) });
      return { code: await worker.exited, stderr: worker.stderr(), stdout: worker.stdout() };
    };
    const commit = () => primary.query('SELECT pg_current_xact_id()');
    try {
      await commit();
      await pair.caughtUp();
      await pair.pauseReplay();
      // the primary goes on; the standby's last replayed transaction falls behind
      await vi.waitFor(
        async () => {
          await commit();
          expect(await pair.replayLagMs()).toBeGreaterThan(2_000);
        },
        { timeout: 30_000, interval: 500 },
      );
      const fromPrimary = await once('primary');
      expect(fromPrimary.code, fromPrimary.stderr).toBe(0);
      const published = await readFile(destination, 'utf8');

      // a new process (a restart, a CronJob's next run) on the standby: it holds no position of its own
      const behind = await once('standby');
      expect(behind.code).toBe(1);
      expect(behind.stdout + behind.stderr).toContain(`the data read is older than what was published: it is as of ${(await pair.lastReplayed())!.toISOString()}, older than the last snapshot's (${JSON.parse(published).dataAsOf}), found at the destination without its WAL position`);
      expect(await readFile(destination, 'utf8')).toBe(published);

      await pair.resumeReplay();
      await pair.caughtUp();
      const caughtUp = await once('standby');
      expect(caughtUp.code, caughtUp.stderr).toBe(0);
      expect(Date.parse(JSON.parse(await readFile(destination, 'utf8')).dataAsOf)).toBeGreaterThan(Date.parse(JSON.parse(published).dataAsOf));
    } finally {
      await pair.resumeReplay();
      await rm(folder, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a hot standby cut off from its primary', () => {
  it('is judged as of the last transaction it replayed, not as of now, and as of now again once it streams', async () => {
    // All it received is replayed, so it looks caught up; but it receives nothing while the primary goes on.
    await pair.caughtUp();
    await pair.disconnect();
    await addCharter(newcomer, new Date());
    await vi.waitFor(
      async () => expect(await pair.replayLagMs()).toBeGreaterThan((graceSeconds + 1) * 1000),
      { timeout: 60_000, interval: 500 },
    );
    const replayed = await pair.lastReplayed();
    const cutOff = await snapshotFrom('standby');
    expect(cutOff.dataAsOf).toBe(replayed!.toISOString());
    expect(cutOff.reasons.find((reason) => reason.code === 'data_behind')).toMatchObject({ severity: 'degraded' });
    expect(stateOf(cutOff, 'Newcomer')).toBeUndefined(); // the primary has it, the standby never received it

    await pair.reconnect();
    await pair.caughtUp();
    const streaming = await snapshotFrom('standby');
    expect(streaming.dataAsOf).toBe(streaming.generatedAt);
    expect(codes(streaming)).not.toContain('data_behind');
    expect(stateOf(streaming, 'Newcomer')).toBeDefined();
  }, 180_000);
});

describe('a hot standby restarted while its primary writes nothing', () => {
  /** Whether the standby's receiver has flushed less than it replayed: it counts from the start of the WAL segment it resumes in. */
  async function receivedBelowReplayed(): Promise<boolean> {
    const client = new pg.Client({ connectionString: pair.standbyUrl('postgres') });
    await client.connect();
    try {
      const { rows } = await client.query<{ below: boolean }>('SELECT pg_last_wal_receive_lsn() < pg_last_wal_replay_lsn() AS below');
      return rows[0]!.below;
    } finally {
      await client.end();
    }
  }

  it('is judged as of now: nothing it received waits to be replayed, though its receiver has counted less than it replayed', async () => {
    // A restarted standby reports the start of the WAL segment it resumes in as received until the primary
    // writes again: its received position is below its replayed one, never equal. Taken while that holds
    // (the primary's background writer may log a record meanwhile: then it restarts once more).
    await vi.waitFor(
      async () => {
        await pair.caughtUp();
        await pair.restartStandby();
        if (!(await receivedBelowReplayed())) throw new Error('the restarted standby has received something new already');
      },
      { timeout: 150_000, interval: 1_000 },
    );
    const taken = await snapshotFrom('standby');
    expect(taken.dataAsOf).toBe(taken.generatedAt);
    expect(codes(taken)).not.toContain('data_behind');
  }, 180_000);
});

describe('a leader lock taken on a hot standby', () => {
  it('is that server’s alone: a replica locking on the primary leads too, and the one on the standby says why', async () => {
    const logs: Array<{ event: string; on: string }> = [];
    const leaderOn = (on: 'primary' | 'standby') =>
      createAdvisoryLockLeader({
        connectionString: pair.readerUrl(on, database, reader),
        lockKey: lockKeyFor('file:///one/destination/governance-status.json'),
        logger: createLogger((line) => logs.push({ ...(JSON.parse(line) as { event: string }), on })),
      });
    const leaders = [leaderOn('primary'), leaderOn('standby')];
    try {
      expect(await Promise.all(leaders.map((leader) => leader.shouldRun()))).toEqual([true, true]);
      expect(logs.filter((line) => line.event === 'leader_lock_on_standby').map((line) => line.on)).toEqual(['standby']);
    } finally {
      await Promise.all(leaders.map((leader) => leader.close()));
    }
  });
});
