// The demo's story holds whatever minute it starts and for as long as it runs (issue 21). Seeded at
// pinned minutes, some where runs are still in progress at a fire, the snapshot opens the same:
// Degraded, Engineering's latest run failed, nothing else wrong. Driven by the simulator on a pinned
// clock for 70 minutes, every run is finished within its ticks, the seeded ones included, and the
// page then says Healthy instead of calling a finished charter stuck.
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildSnapshot, defaultRules } from '../../worker/build-snapshot.ts';
import { createLogger } from '../../worker/logger.ts';
import { createPostgresGovernanceSource } from '../../worker/postgres/postgres-governance-source.ts';
import { seedDemoData, systemBillingAccountId, systemPrincipalId } from '../../scripts/demo-data.ts';
import { startSimulator } from '../../scripts/simulator.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const settings = { principalId: systemPrincipalId, billingAccountId: systemBillingAccountId, staleAfterMs: () => 15_000, rules: defaultRules };
const quiet = createLogger(() => {});
const databases: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((database) => database.drop()));
});

async function seeded(now: Date) {
  const database = await createTestDatabase({ ledger: 'graph_runs' });
  databases.push(database);
  return { database, tenant: await seedDemoData(database.admin, now) };
}

async function snapshotAt(database: TestDatabase, now: Date) {
  const pool = new pg.Pool({ connectionString: database.readerUrl, max: 1 });
  try {
    return await buildSnapshot(createPostgresGovernanceSource(pool, { statementTimeoutMs: 10_000, databaseClock: 'worker' }), settings, now, quiet);
  } finally {
    await pool.end();
  }
}

const inProgress = async (database: TestDatabase) =>
  (await database.admin.query<{ id: string; started_at: Date }>("SELECT id, started_at FROM graph_runs WHERE status IN ('pending', 'running')")).rows;

/** What the README promises the demo opens as. */
function expectOpeningStory(snapshot: Awaited<ReturnType<typeof snapshotAt>>) {
  expect(snapshot.status).toBe('degraded');
  const problems = snapshot.reasons.filter((reason) => reason.severity !== 'notice');
  expect(problems.map(({ code, charterId }) => ({ code, charterId }))).toEqual([{ code: 'charter_failing', charterId: 'governance:engineering' }]);
  expect(problems[0]!.text).toContain('upstream_timeout');
}

describe('the demo opens in the state it promises, at any minute', () => {
  // 13:00:10, with runs in progress at a fire, is the simulator's start below
  it.each([
    ['13:29:50, just before a fire', '2026-12-04T13:29:50.000Z'],
    ['13:45:00, between fires', '2026-12-04T13:45:00.000Z'],
  ])('%s: Degraded, Engineering failing with upstream_timeout, nothing else wrong', { timeout: 60_000 }, async (_when, at) => {
    const now = new Date(at);
    const { database, tenant } = await seeded(now);
    expect((await inProgress(database)).length).toBe(tenant.openRuns.length);
    expectOpeningStory(await snapshotAt(database, now));
  });
});

describe('the simulator finishes every run', () => {
  it('started ten seconds after Engineering and Community fired (their runs in progress), leaves no run running past its ticks, and an hour later the page is Healthy', { timeout: 120_000 }, async () => {
    const start = new Date('2026-12-04T13:00:10.000Z');
    const { database, tenant } = await seeded(start);
    const seededOpen = tenant.openRuns.map((run) => run.id);
    expect(seededOpen.length, 'the pinned minute straddles a fire: seeded runs are in progress').toBeGreaterThanOrEqual(2);
    expect((await inProgress(database)).map((run) => run.id).sort()).toEqual([...seededOpen].sort());
    expectOpeningStory(await snapshotAt(database, start));

    // 30 simulated seconds per tick; no chance failure (0.5 is never under the 5 % failure rate)
    let ticks = 0;
    let now = start;
    const clock = () => (now = new Date(start.getTime() + ++ticks * 30_000));
    const simulator = startSimulator({ pool: database.admin, tenant, tickMs: 5, logger: quiet, random: () => 0.5, clock });
    await vi.waitFor(() => expect(ticks).toBeGreaterThanOrEqual(140), { timeout: 100_000, interval: 50 }); // 70 minutes
    await simulator.stop();

    const { rows: seededRuns } = await database.admin.query<{ status: string }>('SELECT status FROM graph_runs WHERE id = ANY($1)', [seededOpen]);
    expect(seededRuns.map((run) => run.status)).toEqual(seededOpen.map(() => 'success'));
    // what is still running started in the last tick: every earlier run was finished in its ticks
    for (const run of await inProgress(database)) expect(run.started_at.getTime()).toBe(now.getTime());
    const { rows: simulated } = await database.admin.query<{ count: string }>("SELECT count(*) FROM graph_runs WHERE run_id LIKE '%-sim-%'");
    expect(Number(simulated[0]!.count)).toBe(3); // Govern at 13:15, Engineering at 13:30 and 14:00

    const later = await snapshotAt(database, now);
    expect(later.charters.filter((charter) => charter.state === 'stuck')).toEqual([]);
    expect(later.status).toBe('healthy');
  });
});
