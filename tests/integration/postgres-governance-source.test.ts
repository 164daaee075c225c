import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GovernanceStatus, RunStatus } from '../../shared/contract.ts';
import { buildSnapshot, defaultRules, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createLogger } from '../../worker/logger.ts';
import { createPostgresGovernanceSource } from '../../worker/postgres/postgres-governance-source.ts';
import { scenarioNow, scheduleIds, seedScenario, systemBalance, systemBillingAccountId, systemPrincipalId } from '../fixtures/scenario.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { readFacts } from '../../bench/plans.ts';

const settings: SnapshotSettings = {
  principalId: systemPrincipalId,
  billingAccountId: systemBillingAccountId,
  staleAfterMs: () => 180_000,
  rules: defaultRules,
};
const logger = createLogger(() => {});

const unattributedSpend = { credits: '4011', requests: 5, tokensIn: '0', tokensOut: '0', usd: null, usdRequests: 0 };

const outcomeOn = (ledger: 'schedule_runs' | 'graph_runs', outcome: RunStatus, charterId: string) =>
  ledger === 'graph_runs' ? { outcome, charterId } : { outcome: null, charterId: null };

function expectedSnapshot(ledger: 'schedule_runs' | 'graph_runs'): GovernanceStatus {
  const hours = Array.from({ length: 24 }, (_, i) => ({
    hourStart: new Date(Date.parse('2026-11-20T13:00:00.000Z') + i * 3600_000).toISOString(),
    credits: i === 0 ? '1000' : i === 23 ? '2300' : '0',
  }));
  return {
    systemCredits: systemBalance,
    upcomingRuns: [
      { name: 'Community', nextRunAt: '2026-11-21T13:00:00.000Z' },
      { name: 'Engineering', nextRunAt: '2026-11-21T17:00:00.000Z' },
    ],
    recentRuns: [
      // On graph_runs a thread says its latest run's outcome and charter (another tenant's later run is
      // invisible); schedule_runs has no state_key to join on, so it says nothing.
      { id: 'thread-weekly', title: 'Weekly review', startedAt: '2026-11-21T10:00:00.000Z', lastActivity: '2026-11-21T12:00:00.000Z', ...outcomeOn(ledger, 'running', 'governance:engineering') },
      { id: 'thread-numeric-title', title: null, startedAt: '2026-11-20T09:00:00.000Z', lastActivity: '2026-11-21T11:00:00.000Z', ...outcomeOn(ledger, 'success', 'governance:community') },
      { id: 'thread-no-metadata', title: null, startedAt: '2026-11-19T08:00:00.000Z', lastActivity: '2026-11-21T10:00:00.000Z', outcome: null, charterId: null },
      { id: 'thread-array-metadata', title: null, startedAt: '2026-11-19T07:00:00.000Z', lastActivity: '2026-11-21T09:00:00.000Z', outcome: null, charterId: null },
    ],
    schemaVersion: 1,
    generatedAt: '2026-11-21T12:34:56.789Z',
    staleAfter: '2026-11-21T12:37:56.789Z',
    dataAsOf: '2026-11-21T12:34:56.789Z',
    status: 'degraded',
    reasons: [
      {
        code: 'charter_failing',
        severity: 'degraded',
        charterId: 'governance:engineering',
        since: '2026-11-21T05:00:00.000Z',
        // the 11:00 fire's slot holds the failed 11:00 run and a 12:00 run still running (the latest answers it):
        // the card counts 05:00 failed and 11:00 running, and the reason counts what the card counts
        text: "Engineering's latest run failed at 11:00 UTC: insufficient_credits",
      },
      {
        code: 'schedule_invalid',
        severity: 'degraded',
        charterId: 'governance:govern',
        since: null,
        text: "Govern's schedule cannot be read (unknown time zone): it runs at no known time.",
      },
      { code: 'charter_paused', severity: 'notice', charterId: 'governance:sustainability', since: null, text: 'Sustainability is paused: it is not scheduled to run.' },
    ],
    credits: {
      balance: systemBalance,
      balanceUsd: '12345678901.23',
      spentLast24h: '4011', // 11 + 700 + 1000 + 2000 + 300
      burnPerHour: '168', // ceil(4011 / 24)
      runwayHours: 734861839359200.4,
      health: 'green',
    },
    // no run of the scenario has a started_at: no average run, no forecast
    forecast: {
      creditsPerRun: null,
      fundedRuns: null,
      fundedUntil: null,
      firstUnfundedRun: null,
      charters: [
        { charterId: 'governance:community', creditsPerRun: null, basis: 'none' },
        { charterId: 'governance:engineering', creditsPerRun: null, basis: 'none' },
      ],
    },
    spendByHour: hours,
    charters: [
      {
        id: 'governance:community',
        name: 'Community',
        enabled: true,
        cron: '0 13 * * *',
        timezone: 'UTC',
        scheduleText: 'At 13:00',
        nextRunAt: '2026-11-21T13:00:00.000Z',
        scheduleError: null,
        // yesterday's 13:00 fire is the window's only one, answered; today's is still ahead
        state: 'ok',
        stateSince: null,
        lastRun: { runId: 'community-1120', status: 'success', scheduledFor: '2026-11-20T13:00:00.000Z', startedAt: null, finishedAt: '2026-11-20T13:01:30.000Z' },
        lastSuccessAt: '2026-11-20T13:01:30.000Z',
        runs24h: { expected: 1, succeeded: 1, failed: 0, skipped: 0, missed: 0, running: 0 },
      },
      {
        id: 'governance:engineering',
        name: 'Engineering',
        enabled: true,
        cron: '0 */6 * * *',
        timezone: 'Europe/Berlin',
        scheduleText: 'On the hour, every 6 hours',
        nextRunAt: '2026-11-21T17:00:00.000Z',
        scheduleError: null,
        state: 'failing',
        stateSince: '2026-11-21T05:00:00.000Z', // the first failure after the 23:00 success
        lastRun: { runId: 'engineering-1121-11', status: 'error', scheduledFor: '2026-11-21T11:00:00.000Z', startedAt: null, finishedAt: '2026-11-21T11:00:02.000Z' },
        lastSuccessAt: '2026-11-20T23:00:00.000Z', // completed_at null: its scheduled_for
        // fires 23:00, 05:00, 11:00 UTC; the 12:00 run still running is the latest in the 11:00 slot
        runs24h: { expected: 3, succeeded: 1, failed: 1, skipped: 0, missed: 0, running: 1 },
      },
      {
        id: 'governance:govern',
        name: 'Govern',
        enabled: true,
        cron: '0 8 * * *',
        timezone: 'Mars/Olympus',
        scheduleText: 'At 08:00',
        nextRunAt: null,
        scheduleError: 'invalid_timezone',
        state: 'invalid_schedule',
        stateSince: null,
        lastRun: null,
        lastSuccessAt: null,
        runs24h: { expected: 0, succeeded: 0, failed: 0, skipped: 0, missed: 0, running: 0 },
      },
      {
        id: 'governance:sustainability',
        name: 'Sustainability',
        enabled: false,
        cron: '0 9 * * 1',
        timezone: 'UTC',
        scheduleText: 'At 09:00, only on Monday',
        nextRunAt: null,
        scheduleError: null,
        state: 'paused',
        stateSince: null,
        lastRun: { runId: 'sustainability-1116', status: 'skipped', scheduledFor: '2026-11-16T09:00:00.000Z', startedAt: null, finishedAt: '2026-11-16T09:00:00.500Z' },
        lastSuccessAt: null,
        runs24h: { expected: 0, succeeded: 0, failed: 0, skipped: 0, missed: 0, running: 0 },
      },
    ],
    chartersTotal: 4,
    failedRuns: [
      {
        charter: 'Engineering',
        charterId: 'governance:engineering',
        runId: 'engineering-1121-11',
        scheduledFor: '2026-11-21T11:00:00.000Z',
        errorCode: 'insufficient_credits',
        errorMessage: 'insufficient_credits',
      },
      {
        charter: 'Engineering',
        charterId: 'governance:engineering',
        runId: 'engineering-1121-05',
        scheduledFor: '2026-11-21T05:00:00.000Z',
        errorCode: ledger === 'graph_runs' ? 'upstream_error' : null, // error_code exists only in graph_runs
        errorMessage: 'fetch https://[redacted]@llm.internal/v1 failed',
      },
    ],
    failedRunsTotal: 2,
    missedRuns: [],
    missedRunsTotal: 0,
    // Engineering's streak since 05:00; Sustainability's one skipped run was its last before the pause
    openIncidents: ['governance:engineering@2026-11-21T05:00:00.000Z', 'governance:sustainability@2026-11-16T09:00:00.000Z'],
    filesBehind: [],
    // the scenario's receipts carry no details and belong to no run of a charter
    usage: {
      available: true,
      from: '2026-11-20T12:34:56.789Z',
      to: '2026-11-21T12:34:56.789Z',
      total: unattributedSpend,
      failedCredits: '0',
      charters: [],
      chartersOther: null,
      unattributed: unattributedSpend,
      models: [{ model: null, ...unattributedSpend }],
      modelsOther: null,
      agents: [{ agent: null, ...unattributedSpend }],
      agentsOther: null,
    },
    // the settings name no feeds
    feeds: null,
    rules: { runwayRedHours: 6, runwayYellowHours: 24, graceSeconds: 600, stuckAfterSeconds: 3600, recoveringSeconds: 3600, creditsPerUsd: 10_000_000, incidentAfterRuns: 2, incidentAfterSeconds: 3600 },
  };
}

describe.each(['schedule_runs', 'graph_runs'] as const)('PostgreSQL governance source on %s', (ledger) => {
  let database: TestDatabase;
  let reader: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase({ ledger });
    await seedScenario(database.admin, ledger);
    reader = new pg.Pool({ connectionString: database.readerUrl, max: 1 });
  });
  afterAll(async () => {
    await reader?.end();
    await database?.drop();
  });

  it('builds the exact expected snapshot, as the reader role, from the system tenant only', async () => {
    const source = createPostgresGovernanceSource(reader, { statementTimeoutMs: 5_000, databaseClock: 'worker' });
    const snapshot = await buildSnapshot(source, settings, scenarioNow, logger);
    expect(snapshot).toEqual(expectedSnapshot(ledger));
    const text = JSON.stringify(snapshot);
    for (const leak of ['OTHER TENANT', 'other-tenant', 'other-1', 'hunter2', 'nongov', 'manual-1', '1000000000000']) {
      expect(text).not.toContain(leak);
    }
  });

  it('reads the found ledger inside one read-only transaction that leaves no setting behind', async () => {
    const source = createPostgresGovernanceSource(reader, { statementTimeoutMs: 5_000, databaseClock: 'worker' });
    const facts = await readFacts(source, {
      now: scenarioNow,
      principalId: systemPrincipalId,
      billingAccountId: systemBillingAccountId,
      spendFrom: new Date(scenarioNow.getTime() - 86_400_000),
      hoursFrom: new Date('2026-11-20T13:00:00.000Z'),
      spendHoursFrom: new Date('2026-11-20T12:00:00.000Z'),
      runsFrom: new Date(scenarioNow.getTime() - 86_400_000),
      windowStart: new Date(scenarioNow.getTime() - 86_400_000),
      failedFrom: new Date(scenarioNow.getTime() - 86_400_000),
      failedLimit: 10,
      threadsLimit: 10,
    });
    expect(facts.ledger).toBe(ledger);
    const client = await reader.connect();
    try {
      const { rows } = await client.query(
        "SELECT current_setting('app.current_user_id', true) AS tenant, current_setting('statement_timeout') AS timeout, current_setting('transaction_read_only') AS ro",
      );
      expect(rows[0]).toEqual({ tenant: '', timeout: '0', ro: 'off' }); // transaction-local: gone after COMMIT
    } finally {
      client.release();
    }
  });

  it('refuses to read as a role that bypasses row-level security', async () => {
    const source = createPostgresGovernanceSource(database.admin, { statementTimeoutMs: 5_000, databaseClock: 'worker' });
    await expect(buildSnapshot(source, settings, scenarioNow, logger)).rejects.toThrow(
      /database role postgres bypasses row-level security \(SUPERUSER or BYPASSRLS\)/,
    );
  });

  it("keeps a charter's id when a schedule made later cleans to it, whatever their uuids", async () => {
    // a lower uuid, made later, whose id differs by a zero-width space: it is the one renamed
    await database.admin.query(
      `INSERT INTO schedules (id, owner_user_id, execution_grant_id, graph_id, input, cron, timezone, enabled, temporal_schedule_id, created_at)
       SELECT '00000000-0000-4000-8000-000000000009', owner_user_id, execution_grant_id, graph_id, input, cron, timezone, enabled, 'governance:engineering\u200b', created_at + interval '1 second'
         FROM schedules WHERE id = $1`,
      [scheduleIds.engineering],
    );
    try {
      const source = createPostgresGovernanceSource(reader, { statementTimeoutMs: 5_000, databaseClock: 'worker' });
      const charters = (await buildSnapshot(source, settings, scenarioNow, logger)).charters;
      const expected = expectedSnapshot(ledger).charters.find((charter) => charter.id === 'governance:engineering');
      expect(charters.find((charter) => charter.id === 'governance:engineering')).toEqual(expected);
      expect(charters.find((charter) => charter.id === 'governance:engineering~2')).toMatchObject({ name: 'Engineering~2', state: 'no_runs' });
    } finally {
      await database.admin.query("DELETE FROM schedules WHERE id = '00000000-0000-4000-8000-000000000009'");
    }
  });

  it('fails clearly when the billing account is hidden from the principal by RLS', async () => {
    const source = createPostgresGovernanceSource(reader, { statementTimeoutMs: 5_000, databaseClock: 'worker' });
    await expect(
      buildSnapshot(source, { ...settings, principalId: 'user-other-tenant' }, scenarioNow, logger),
    ).rejects.toThrow(/billing account 00000000-0000-4000-b000-000000000000 is not visible to principal user-other-tenant/);
  });
});
