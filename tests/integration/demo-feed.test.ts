// The feed a subscriber gets from the demo's 90 days (scripts/demo-data.ts: four charters, a run
// failing now and then, an afternoon without credits, a scheduler that stopped, a revoked grant),
// seeded into real PostgreSQL and built by the worker once: only incidents, at most a few dozen
// entries (before blips were told apart it held 403 at this instant, 408 in the run: every single
// failed run opened and resolved).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData, systemBillingAccountId, systemPrincipalId } from '../../scripts/demo-data.ts';
import { createSnapshotBuilder, defaultRules } from '../../worker/build-snapshot.ts';
import { feedEntries } from '../../worker/feeds.ts';
import { createLogger } from '../../worker/logger.ts';
import { createPostgresGovernanceSource } from '../../worker/postgres/postgres-governance-source.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const now = new Date('2026-11-21T12:34:56.789Z');
const settings = { principalId: systemPrincipalId, billingAccountId: systemBillingAccountId, staleAfterMs: () => 180_000, rules: defaultRules };

describe('the demo’s feed', () => {
  let database: TestDatabase;
  let reader: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'graph_runs' });
    await seedDemoData(database.admin, now);
    reader = new pg.Pool({ connectionString: database.readerUrl, max: 1 });
  });
  afterAll(async () => {
    await reader?.end();
    await database?.drop();
  });

  it('holds the incidents of 90 days in a few dozen entries, every single failed run of a frequent charter left out', async () => {
    const source = createPostgresGovernanceSource(reader, { statementTimeoutMs: 5_000, databaseClock: 'worker' });
    const { history } = await createSnapshotBuilder(source, settings, createLogger(() => {})).build(now);
    const entries = feedEntries(history, 'https://status.example.org/');
    // 403 entries (202 incidents) before blips were told apart. Now about 60 to 70 (30 to 35
    // incidents, as the demo's seeded failures fall): the outages, and the single failures of the
    // charters that run every 4 hours and daily, which leave them hours without a success (past
    // INCIDENT_AFTER_SECONDS)
    expect(entries.length).toBeLessThanOrEqual(80);
    expect(entries.length).toBe(2 * history.incidents.length);
    for (const incident of history.incidents) {
      const lasted = Date.parse(incident.resolvedAt ?? now.toISOString()) - Date.parse(incident.startedAt);
      expect(incident.runs >= 2 || lasted > 60 * 60_000, incident.id).toBe(true);
    }
    // nothing of the hourly and half-hourly charters but their outages: no single failed run
    const frequent = history.incidents.filter((incident) => ['governance:engineering', 'governance:govern'].includes(incident.charterId));
    expect(frequent.every((incident) => incident.runs >= 2)).toBe(true);
    // last night's credit outage, as subscribers read it
    expect(entries.map((entry) => entry.title)).toContain('Engineering has failed every run since Nov 20 18:00 UTC: insufficient_credits');
  });
});
