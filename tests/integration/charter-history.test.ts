// Charter states and 90 days of history against real PostgreSQL (both ledgers, the reader role,
// forced RLS): a known outage ten days ago, a scheduler that stopped an hour ago, a revoked grant,
// a charter with 40 days of data, and another tenant whose outage must never appear.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ledger } from '../../scripts/cogni/apply-schema.ts';
import { createSnapshotBuilder, defaultRules, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { feedEntries } from '../../worker/feeds.ts';
import { announcedIn } from '../../worker/side-files.ts';
import { formatUtc } from '../../shared/reasons.ts';
import { createLogger } from '../../worker/logger.ts';
import { createPostgresGovernanceSource } from '../../worker/postgres/postgres-governance-source.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startWorker, stopWorker } from '../support/worker-process.ts';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const system = { principalId: '00000000-0000-4000-a000-000000000001', billingAccountId: '00000000-0000-4000-b000-000000000000' };
const ids = {
  engineering: '10000000-0000-4000-8000-00000000000e',
  community: '10000000-0000-4000-8000-00000000000c',
  other: '20000000-0000-4000-8000-000000000001',
};
const logger = createLogger(() => {});
const settings: SnapshotSettings = { ...system, staleAfterMs: () => 180_000, rules: defaultRules };

// The scenario is laid out around the real clock, so that the real worker (whose now is the wall
// clock) judges the same rows: now is the last quarter past, the times below follow from it.
const now = new Date(Math.floor(Date.now() / (15 * minute)) * 15 * minute + 7 * minute);
const today = Math.floor(now.getTime() / day) * day;
const outageDay = today - 10 * day;
const stoppedAt = now.getTime() - hour; // Engineering's last run is the last */15 fire before this
const lastRun = Math.floor(stoppedAt / (15 * minute)) * 15 * minute;
const iso = (ms: number) => new Date(ms).toISOString();

async function seed(db: pg.Pool, ledger: Ledger): Promise<void> {
  await db.query(`INSERT INTO users (id, name) VALUES ($1, 'Cogni system'), ('user-other', 'Other DAO')`, [system.principalId]);
  await db.query(
    `INSERT INTO billing_accounts (id, owner_user_id, balance_credits, is_system_tenant, slug)
     VALUES ($1, $2, 90000000000, true, 'cogni_system'), ('billing-other', 'user-other', 0, false, 'other')`,
    [system.billingAccountId, system.principalId],
  );
  const grants = await db.query<{ id: string; user_id: string }>(
    `INSERT INTO execution_grants (user_id, billing_account_id, scopes)
     VALUES ($1, $2, '{graph:run}'), ('user-other', 'billing-other', '{graph:run}') RETURNING id, user_id`,
    [system.principalId, system.billingAccountId],
  );
  const grantOf = new Map(grants.rows.map((row) => [row.user_id, row.id]));
  const created = new Date(today - 120 * day);
  await db.query(
    `INSERT INTO schedules (id, owner_user_id, execution_grant_id, graph_id, input, cron, timezone, temporal_schedule_id, created_at, updated_at)
     VALUES ($1, $4, $5, 'governance', '{}', '*/15 * * * *', 'UTC', 'governance:engineering', $7, $7),
            ($2, $4, $5, 'governance', '{}', '0 */6 * * *', 'America/New_York', 'governance:community', $7, $7),
            ($3, 'user-other', $6, 'governance', '{}', '*/15 * * * *', 'UTC', 'governance:engineering', $7, $7)`,
    [ids.engineering, ids.community, ids.other, system.principalId, grantOf.get(system.principalId), grantOf.get('user-other'), created],
  );
  const extra = ledger === 'graph_runs' ? ', requested_by' : '';
  const insert = (values: string) =>
    `INSERT INTO ${ledger} (id, schedule_id, run_id, scheduled_for, started_at, completed_at, status, error_message${extra}) ${values}`;
  const requestedBy = (owner: string) => (ledger === 'graph_runs' ? `, '${owner}'` : '');
  // Engineering: every quarter hour for 95 days up to an hour ago; insufficient_credits from 06:00 to 08:45 ten days ago.
  await db.query(
    insert(`SELECT gen_random_uuid(), $1, 'eng-' || extract(epoch FROM t)::bigint, t, t + interval '2 seconds', t + interval '40 seconds',
                   CASE WHEN t >= $3 AND t < $4 THEN 'error' ELSE 'success' END,
                   CASE WHEN t >= $3 AND t < $4 THEN 'insufficient_credits' END${requestedBy(system.principalId)}
              FROM generate_series($2::timestamptz, $5::timestamptz, interval '15 minutes') t`),
    [ids.engineering, new Date(today - 95 * day), new Date(outageDay + 6 * hour), new Date(outageDay + 9 * hour), new Date(lastRun)],
  );
  // Community: its cron's fires (00, 06, 12, 18 in New York) for the last 40 days; its grant was revoked for the last two.
  const { firesBetween } = await import('../../shared/schedule.ts');
  const fires = firesBetween('0 */6 * * *', 'America/New_York', today - 40 * day, now.getTime());
  // its last two fires that are due at `now` were skipped (and one inside the grace, if any), whatever the time of day
  const lastSucceeded = fires.filter((fire) => fire <= now.getTime() - 10 * minute).length - 2;
  await db.query(
    insert(`SELECT gen_random_uuid(), $1, 'com-' || extract(epoch FROM t)::bigint, t, t + interval '2 seconds', t + interval '3 seconds',
                   CASE WHEN ordinality > $3 THEN 'skipped' ELSE 'success' END,
                   CASE WHEN ordinality > $3 THEN 'Grant validation failed' END${requestedBy(system.principalId)}
              FROM unnest($2::timestamptz[]) WITH ORDINALITY AS f(t, ordinality)`),
    [ids.community, fires.map((fire) => new Date(fire)), lastSucceeded],
  );
  // The other tenant: an outage of its own every day, and a stop of its scheduler yesterday.
  await db.query(
    insert(`SELECT gen_random_uuid(), $1, 'other-' || extract(epoch FROM t)::bigint, t, t, t + interval '5 seconds', 'error', 'OTHER TENANT FAILURE'${requestedBy('user-other')}
              FROM generate_series($2::timestamptz, $3::timestamptz, interval '15 minutes') t`),
    [ids.other, new Date(today - 30 * day), new Date(today - day)],
  );
  await db.query(
    `INSERT INTO virtual_keys (billing_account_id, is_default) VALUES ($1, true)`,
    [system.billingAccountId],
  );
  await db.query('ANALYZE');
}

describe.each(['schedule_runs', 'graph_runs'] as const)('charter states and history on %s', (ledger) => {
  let database: TestDatabase;
  let reader: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase({ ledger });
    await seed(database.admin, ledger);
    reader = new pg.Pool({ connectionString: database.readerUrl, max: 1 });
  });
  afterAll(async () => {
    await reader?.end();
    await database?.drop();
  });

  const builder = () => createSnapshotBuilder(createPostgresGovernanceSource(reader, { statementTimeoutMs: 5_000, databaseClock: 'worker' }), settings, logger);

  it('says missed for a charter whose scheduler stopped an hour ago, and skipped for a revoked grant', async () => {
    const { snapshot } = await builder().build(now);
    const engineering = snapshot.charters.find((charter) => charter.id === 'governance:engineering')!;
    expect(engineering).toMatchObject({
      state: 'missed',
      stateSince: iso(lastRun + 15 * minute),
      lastRun: { status: 'success', scheduledFor: iso(lastRun) },
      lastSuccessAt: iso(lastRun + 40_000),
    });
    // 96 fires in (now - 24 h, now - grace], of which the ones after the last run are missed
    const missed = Math.floor((now.getTime() - defaultRules.graceMs - lastRun) / (15 * minute));
    expect(engineering.runs24h).toEqual({ expected: 95, succeeded: 95 - missed, failed: 0, skipped: 0, missed, running: 0 });
    // its last two due fires were skipped, and so was a fire inside the grace, if any: a run that has
    // answered counts at once (countedUntil), so at 23:07 UTC the 23:00 fire is the third
    const { firesBetween } = await import('../../shared/schedule.ts');
    const graceStart = now.getTime() - defaultRules.graceMs;
    const inGrace = firesBetween('0 */6 * * *', 'America/New_York', graceStart - hour, now.getTime()).filter((fire) => fire > graceStart && fire <= now.getTime()).length;
    expect(snapshot.charters.find((charter) => charter.id === 'governance:community')).toMatchObject({ state: 'skipped', runs24h: { skipped: 2 + inGrace } });
    expect(snapshot.status).toBe('failing'); // every charter with expectations is down
    expect(snapshot.reasons.map((reason) => reason.code)).toEqual(['all_charters_down', 'charter_missed', 'charter_skipped']);
    // the clock of the first missed fire, with its date when that was before today (UTC)
    expect(snapshot.reasons[1]!.text).toBe(`Engineering has missed ${missed} scheduled runs in a row since ${formatUtc(lastRun + 15 * minute, now.getTime())}: the scheduler may have stopped.`);
    expect(snapshot.missedRunsTotal).toBe(missed);
    expect(snapshot.missedRuns[0]).toEqual({ charter: 'Engineering', charterId: 'governance:engineering', expectedAt: iso(lastRun + missed * 15 * minute) });
    expect(snapshot.failedRunsTotal).toBe(0);
    expect(JSON.stringify(snapshot)).not.toMatch(/OTHER TENANT|other-|user-other/);
  });

  it('counts the outage ten days ago exactly, says "no data" before a charter’s first run, and derives its incident', async () => {
    const { history, snapshot } = await builder().build(now);
    const outage = history.days.find((entry) => entry.date === iso(outageDay).slice(0, 10))!;
    expect(outage.charters['governance:engineering']).toEqual({ expected: 96, succeeded: 84, failed: 12, skipped: 0, missed: 0 });
    expect(history.days.find((entry) => entry.date === iso(outageDay + day).slice(0, 10))!.charters['governance:engineering']).toEqual({
      expected: 96, succeeded: 96, failed: 0, skipped: 0, missed: 0,
    });
    // Community's first run was 40 days ago: the days before have no entry for it
    const firstCommunityDay = history.days.findIndex((entry) => 'governance:community' in entry.charters);
    expect(history.days[firstCommunityDay]!.date).toBe(iso(today - 40 * day).slice(0, 10));
    expect(history.days.slice(0, firstCommunityDay).every((entry) => entry.charters['governance:engineering'] !== undefined)).toBe(true);
    expect(history.incidents.find((incident) => incident.startedAt === iso(outageDay + 6 * hour))).toEqual({
      id: `governance:engineering@${iso(outageDay + 6 * hour)}`,
      charterId: 'governance:engineering',
      kind: 'failed',
      startedAt: iso(outageDay + 6 * hour),
      resolvedAt: iso(outageDay + 9 * hour + 40_000), // the 09:00 run finished 40 s after its slot
      runs: 12,
      errorCodes: ['insufficient_credits'],
    });
    // both charters down, each in an incident: no charter works, an incident of the system's own, listed first
    expect(snapshot.openIncidents).toHaveLength(3);
    expect(snapshot.openIncidents[0]).toBe(`status:all_charters_down@${iso(now.getTime())}`);
    expect(snapshot.openIncidents).toEqual(expect.arrayContaining([`governance:engineering@${iso(lastRun + 15 * minute)}`, expect.stringMatching(/^governance:community@/)]));
    const open = [...history.incidents, ...history.statusIncidents!].filter((incident) => incident.resolvedAt === null).map((incident) => incident.id);
    expect(open.sort()).toEqual([...snapshot.openIncidents].sort());
    expect(JSON.stringify(history)).not.toMatch(/OTHER TENANT|other-|user-other/);
  });

  it('a restart derives the same history and incident ids, and a day closing while the worker runs gives what a restart then gives', async () => {
    const running = builder();
    const first = await running.build(now);
    const again = await builder().build(now);
    expect(again.history).toEqual(first.history);
    expect(again.snapshot.openIncidents).toEqual(first.snapshot.openIncidents);

    // Past the next UTC midnight and its grace: today closes from the tick's own window.
    const afterMidnight = new Date(today + day + defaultRules.graceMs + 2 * minute);
    let latest = first;
    for (let at = now.getTime() + 30 * minute; at <= afterMidnight.getTime(); at += 3 * hour) latest = await running.build(new Date(at));
    latest = await running.build(afterMidnight);
    const restarted = await builder().build(afterMidnight);
    expect(latest.history.days.map((entry) => entry.date).at(-2)).toBe(iso(today).slice(0, 10));
    expect(latest.history.days).toEqual(restarted.history.days);
    expect(latest.history.incidents).toEqual(restarted.history.incidents);
    expect(latest.snapshot.charters).toEqual(restarted.snapshot.charters);
  });

  it('a deploy that re-syncs every schedule row (updated_at bumped, same crons) keeps the runs missed before it, after a restart too', async () => {
    // a scheduler hiccup three hours before Engineering's last run: two fires without a row
    const gap = [lastRun - 3 * hour, lastRun - 3 * hour + 15 * minute].map((slot) => new Date(slot));
    const removed = await database.admin.query(`DELETE FROM ${ledger} WHERE schedule_id = $1 AND scheduled_for = ANY($2::timestamptz[]) RETURNING *`, [ids.engineering, gap]);
    expect(removed.rowCount).toBe(2);
    try {
      const before = await builder().build(now);
      // what the application's governance sync does on each deploy: upsert every row, updated_at = now();
      // here right after Engineering's last run
      await database.admin.query('UPDATE schedules SET updated_at = $1', [new Date(lastRun + minute)]);
      const after = await builder().build(now);
      const engineering = (built: typeof before) => built.snapshot.charters.find((charter) => charter.id === 'governance:engineering')!;
      const tail = Math.floor((now.getTime() - defaultRules.graceMs - lastRun) / (15 * minute));
      expect(engineering(before).runs24h.missed).toBe(tail + 2);
      expect(engineering(after)).toEqual(engineering(before));
      expect(after.snapshot.openIncidents).toEqual(before.snapshot.openIncidents);
      expect(after.history).toEqual(before.history);
      expect(after.history.incidents.map((incident) => incident.id)).toContain(`governance:engineering@${iso(gap[0]!.getTime())}`);
    } finally {
      await database.admin.query('UPDATE schedules SET updated_at = $1', [new Date(today - 120 * day)]);
      await database.admin.query(`INSERT INTO ${ledger} SELECT * FROM jsonb_populate_recordset(NULL::${ledger}, $1)`, [JSON.stringify(removed.rows)]);
    }
  });

  it('the real worker with --once --stdout says missed and names the charter', async () => {
    const worker = startWorker(['--once', '--stdout'], { DATABASE_URL: database.readerUrl });
    try {
      expect(await worker.exited).toBe(0);
    } finally {
      await stopWorker(worker);
    }
    const snapshot = JSON.parse(worker.stdout());
    expect(snapshot.charters.find((charter: { id: string }) => charter.id === 'governance:engineering').state).toBe('missed');
    expect(['degraded', 'failing']).toContain(snapshot.status);
    expect(snapshot.reasons.find((reason: { code: string }) => reason.code === 'charter_missed')).toMatchObject({ charterId: 'governance:engineering' });
  });
});

// Oversight, every 15 minutes for 20 days: a failed run now and then that the next run repaired (blips),
// and one outage eight days ago, 02:00 to 05:00, when the scheduler wrote no rows at all.
describe.each(['schedule_runs', 'graph_runs'] as const)('blips and one long outage on %s', (ledger) => {
  const at = new Date('2026-11-21T12:07:00.000Z');
  const midnight = Date.parse('2026-11-21T00:00:00.000Z');
  const outageStart = midnight - 8 * day + 2 * hour;
  const blips = [3, 5, 9, 12, 17].map((daysAgo) => midnight - daysAgo * day + 13 * hour + 30 * minute);
  let database: TestDatabase;
  let reader: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase({ ledger });
    const db = database.admin;
    await db.query(`INSERT INTO users (id, name) VALUES ($1, 'Cogni system')`, [system.principalId]);
    await db.query(`INSERT INTO billing_accounts (id, owner_user_id, balance_credits, is_system_tenant, slug) VALUES ($1, $2, 90000000000, true, 'cogni_system')`, [system.billingAccountId, system.principalId]);
    const grant = await db.query<{ id: string }>(`INSERT INTO execution_grants (user_id, billing_account_id, scopes) VALUES ($1, $2, '{graph:run}') RETURNING id`, [system.principalId, system.billingAccountId]);
    await db.query(
      `INSERT INTO schedules (id, owner_user_id, execution_grant_id, graph_id, input, cron, timezone, temporal_schedule_id, created_at, updated_at)
       VALUES ($1, $2, $3, 'governance', '{}', '*/15 * * * *', 'UTC', 'governance:oversight', $4, $4)`,
      [ids.engineering, system.principalId, grant.rows[0]!.id, new Date(midnight - 30 * day)],
    );
    await db.query(
      `INSERT INTO ${ledger} (id, schedule_id, run_id, scheduled_for, started_at, completed_at, status, error_message${ledger === 'graph_runs' ? ', requested_by' : ''})
       SELECT gen_random_uuid(), $1, 'ov-' || extract(epoch FROM t)::bigint, t, t + interval '2 seconds', t + interval '40 seconds',
              CASE WHEN t = ANY($5::timestamptz[]) THEN 'error' ELSE 'success' END,
              CASE WHEN t = ANY($5::timestamptz[]) THEN 'rate_limited' END${ledger === 'graph_runs' ? ', $6' : ''}
         FROM generate_series($2::timestamptz, $3::timestamptz, interval '15 minutes') t
        WHERE NOT (t >= $4 AND t < $4 + interval '3 hours')`,
      [ids.engineering, new Date(midnight - 20 * day), new Date(Date.parse('2026-11-21T12:00:00Z')), new Date(outageStart), blips.map((blip) => new Date(blip)), ...(ledger === 'graph_runs' ? [system.principalId] : [])],
    );
    await db.query('ANALYZE');
    reader = new pg.Pool({ connectionString: database.readerUrl, max: 1 });
  });
  afterAll(async () => {
    await reader?.end();
    await database?.drop();
  });

  const builder = () => createSnapshotBuilder(createPostgresGovernanceSource(reader, { statementTimeoutMs: 5_000, databaseClock: 'worker' }), settings, logger);

  it('counts every blip in its day, and makes the outage alone an incident and a pair of feed entries', async () => {
    const { history } = await builder().build(at);
    for (const blip of blips) {
      expect(history.days.find((entry) => entry.date === iso(blip).slice(0, 10))!.charters['governance:oversight']).toEqual({ expected: 96, succeeded: 95, failed: 1, skipped: 0, missed: 0 });
    }
    expect(history.days.find((entry) => entry.date === iso(outageStart).slice(0, 10))!.charters['governance:oversight']).toEqual({ expected: 96, succeeded: 84, failed: 0, skipped: 0, missed: 12 });
    expect(history.incidents).toEqual([
      {
        id: `governance:oversight@${iso(outageStart)}`,
        charterId: 'governance:oversight',
        kind: 'missed',
        startedAt: iso(outageStart),
        resolvedAt: iso(outageStart + 3 * hour + 40_000),
        runs: 12,
        errorCodes: [],
      },
    ]);
    expect(feedEntries(history, 'https://status.example.org/').map((entry) => entry.title)).toEqual([
      'Oversight recovered after 3 h, 12 runs lost',
      `Oversight has missed every run since ${formatUtc(outageStart, Number.NaN)}: no run was recorded`,
    ]);
  });

  it('a running worker, ticking past midnight, and a restart derive the same incidents', async () => {
    const running = builder();
    let latest = await running.build(at);
    for (let tick = at.getTime() + hour; tick <= midnight + day + 20 * minute; tick += 2 * hour) latest = await running.build(new Date(tick));
    // a restart reads the rows, and the history as the running worker last published it
    const published = latest.historyBody;
    const source = createPostgresGovernanceSource(reader, { statementTimeoutMs: 5_000, databaseClock: 'worker' });
    const restarted = await createSnapshotBuilder(source, settings, logger, { announced: async () => announcedIn(published, null, logger) }).build(new Date(midnight + day + 20 * minute));
    latest = await running.build(new Date(midnight + day + 20 * minute));
    expect(latest.history.incidents).toEqual(restarted.history.incidents);
    expect(latest.history.statusIncidents).toEqual(restarted.history.statusIncidents);
    expect(latest.history.days).toEqual(restarted.history.days);
    // no run since 12:00: the scheduler stopped (an incident since 12:15), and the only charter not working is all of them
    expect(restarted.snapshot.openIncidents).toEqual(['status:all_charters_down@2026-11-21T13:07:00.000Z', 'governance:oversight@2026-11-21T12:15:00.000Z']);
    expect(latest.snapshot.openIncidents).toEqual(restarted.snapshot.openIncidents);
  });
});
