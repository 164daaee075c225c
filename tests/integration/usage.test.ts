// Usage read as the worker reads it (the reader role, RLS forced, both ledgers) from a hand-computed
// fixture: receipts joined to the window's runs by run_id and to their details by primary key, a
// receipt near 2^63 and token sums past 2^31, receipts of no run and without details, a hostile
// model name, a NaN cost; another tenant's receipt with the very same run_id and its own model never
// appears; without the details table or the grant on it the tick's read still succeeds and says so.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Ledger } from '../../scripts/cogni/apply-schema.ts';
import { seedDemoData, systemCharters } from '../../scripts/demo-data.ts';
import { demoModels } from '../../scripts/demo-usage.ts';
import type { GovernanceFacts, GovernanceQuery } from '../../shared/ports.ts';
import { summarizeUsage, summarizeUsageDays, type UsageRun } from '../../shared/usage.ts';
import type { AvailableUsage } from '../../shared/usage-contract.ts';
import { buildSnapshot, defaultRules, queryFor } from '../../worker/build-snapshot.ts';
import { createLogger } from '../../worker/logger.ts';
import { createPostgresGovernanceSource } from '../../worker/postgres/postgres-governance-source.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { readFacts } from '../../bench/plans.ts';
import { checkVariants, poolWithoutUsage } from '../../bench/usage-cost.ts';

const system = { userId: '00000000-0000-4000-a000-000000000001', accountId: '00000000-0000-4000-b000-000000000000' };
const other = { userId: 'user-other', accountId: 'account-other' };
const now = new Date('2026-11-21T12:00:00.000Z');
const hourMs = 3_600_000;
const query: GovernanceQuery = {
  now,
  principalId: system.userId,
  billingAccountId: system.accountId,
  spendFrom: new Date(now.getTime() - 24 * hourMs),
  hoursFrom: new Date(now.getTime() - 23 * hourMs),
  spendHoursFrom: new Date(now.getTime() - 24 * hourMs),
  runsFrom: new Date(now.getTime() - 24 * hourMs),
  windowStart: new Date(now.getTime() - 24 * hourMs),
  failedFrom: new Date(now.getTime() - 24 * hourMs),
  failedLimit: 10,
  threadsLimit: 10,
};
const near2to63 = 9_223_372_036_854_775_000n;
const int32Max = 2_147_483_647;

type Receipt = {
  account: 'system' | 'other';
  runId: string;
  at: string;
  credits: bigint;
  usd?: string;
  kind?: string;
  details?: { model: string; agent: string; tokensIn: number | null; tokensOut: number | null };
};

const community = (model: string, tokensIn: number | null, tokensOut: number | null) => ({ model, agent: 'langgraph:community', tokensIn, tokensOut });
const receipts: Receipt[] = [
  { account: 'system', runId: 'c-1', at: '2026-11-21T01:00:10Z', credits: 300n, usd: '0.00003', details: community('anthropic/claude', 1_000, 200) },
  { account: 'system', runId: 'c-1', at: '2026-11-21T01:00:20Z', credits: 100n, details: community('openai/gpt', 500, 50) },
  { account: 'system', runId: 'c-1', at: '2026-11-21T01:00:30Z', credits: 2n, usd: 'NaN', details: community('openai/gpt', 0, 0) },
  { account: 'system', runId: 'c-2', at: '2026-11-21T05:00:10Z', credits: near2to63, details: community('anthropic/claude', int32Max, int32Max) },
  { account: 'system', runId: 'c-2', at: '2026-11-21T05:00:20Z', credits: 7n, details: community('anthropic/claude', int32Max, 1) },
  { account: 'system', runId: 'e-1', at: '2026-11-21T03:00:10Z', credits: 1_000n, usd: '0.0001', details: { model: 'openai/gpt', agent: 'langgraph:engineering', tokensIn: 4_000, tokensOut: 400 } },
  { account: 'system', runId: 'e-1', at: '2026-11-21T03:00:20Z', credits: 1n, details: { model: 'sk-proj-AbCdEf1234567890abcdefgh\u0007', agent: 'langgraph:engineering', tokensIn: null, tokensOut: null } },
  { account: 'system', runId: 'adjustment-1', at: '2026-11-21T06:00:00Z', credits: 25n, kind: 'manual_adjustment' },
  // a run scheduled before the window: its receipt in the window counts under no charter, the one before is out
  { account: 'system', runId: 'e-old', at: '2026-11-20T12:30:00Z', credits: 5n, details: { model: 'openai/gpt', agent: 'langgraph:engineering', tokensIn: 1, tokensOut: 1 } },
  { account: 'system', runId: 'e-old', at: '2026-11-20T10:00:30Z', credits: 999n, details: { model: 'openai/gpt', agent: 'langgraph:engineering', tokensIn: 1, tokensOut: 1 } },
  // another tenant: the same run_id as the system's, a model and an agent of its own
  { account: 'other', runId: 'c-1', at: '2026-11-21T02:00:00Z', credits: 1_000_000n, usd: '0.1', details: { model: 'other/secret-model', agent: 'langgraph:other-secret', tokensIn: 9, tokensOut: 9 } },
];

const runs = [
  { runId: 'c-1', charter: 'community', scheduledFor: '2026-11-21T01:00:00Z', status: 'success' },
  { runId: 'c-2', charter: 'community', scheduledFor: '2026-11-21T05:00:00Z', status: 'error' },
  { runId: 'e-1', charter: 'engineering', scheduledFor: '2026-11-21T03:00:00Z', status: 'success' },
  { runId: 'e-old', charter: 'engineering', scheduledFor: '2026-11-20T10:00:00Z', status: 'success' },
];

async function seed(admin: pg.Pool, ledger: Ledger, { details = true } = {}): Promise<void> {
  for (const tenant of [system, other]) {
    await admin.query('INSERT INTO users (id, name) VALUES ($1, $1)', [tenant.userId]);
    await admin.query('INSERT INTO billing_accounts (id, owner_user_id, balance_credits) VALUES ($1, $2, 1000000)', [tenant.accountId, tenant.userId]);
    await admin.query('INSERT INTO virtual_keys (billing_account_id) VALUES ($1)', [tenant.accountId]);
    await admin.query("INSERT INTO execution_grants (user_id, billing_account_id, scopes) VALUES ($1, $2, '{graph:run}')", [tenant.userId, tenant.accountId]);
  }
  for (const charter of ['community', 'engineering']) {
    await admin.query(
      `INSERT INTO schedules (owner_user_id, execution_grant_id, graph_id, input, cron, timezone, temporal_schedule_id, created_at, updated_at)
       SELECT $1, id, 'governance', '{}', '0 * * * *', 'UTC', $2, '2026-01-01', '2026-01-01' FROM execution_grants WHERE user_id = $1`,
      [system.userId, `governance:${charter}`],
    );
  }
  for (const run of runs) {
    await admin.query(
      `INSERT INTO ${ledger} (id, schedule_id, run_id, scheduled_for, started_at, completed_at, status)
       SELECT gen_random_uuid(), id, $2, $3, $3, $3::timestamptz + interval '40 seconds', $4 FROM schedules WHERE temporal_schedule_id = $1`,
      [`governance:${run.charter}`, run.runId, run.scheduledFor, run.status],
    );
  }
  for (const [index, receipt] of receipts.entries()) {
    const account = receipt.account === 'system' ? system.accountId : other.accountId;
    const { rows } = await admin.query<{ id: string }>(
      `INSERT INTO charge_receipts (billing_account_id, virtual_key_id, run_id, attempt, charged_credits, response_cost_usd, provenance,
                                    charge_reason, source_system, source_reference, receipt_kind, created_at)
       SELECT $1, id, $2, 1, $3, $4, 'fixture', $5, 'litellm', $6, $7, $8 FROM virtual_keys WHERE billing_account_id = $1 RETURNING id`,
      [account, receipt.runId, receipt.credits.toString(), receipt.usd ?? null, receipt.kind ?? 'llm_usage', `ref-${index}`, receipt.details ? 'llm' : 'adjustment', receipt.at],
    );
    if (!receipt.details || !details) continue;
    await admin.query('INSERT INTO llm_charge_details (charge_receipt_id, model, graph_id, tokens_in, tokens_out) VALUES ($1, $2, $3, $4, $5)', [
      rows[0]!.id,
      receipt.details.model,
      receipt.details.agent,
      receipt.details.tokensIn,
      receipt.details.tokensOut,
    ]);
  }
}

/** The facts' runs as usage needs them: their charter from the facts' schedules. */
function usageRunsOf(facts: Pick<GovernanceFacts, 'runs' | 'schedules'>): UsageRun[] {
  const charterOf = new Map(facts.schedules.map((schedule) => [schedule.scheduleId, schedule.temporalScheduleId]));
  return facts.runs.map((run) => ({ runId: run.runId, charterId: charterOf.get(run.scheduleId)!, status: run.status }));
}

const summarize = (facts: GovernanceFacts) =>
  summarizeUsage({
    usage: facts.usage,
    runs: usageRunsOf(facts),
    charters: facts.schedules.map((schedule) => ({ id: schedule.temporalScheduleId, name: schedule.temporalScheduleId.replace('governance:', '') })),
    from: query.spendFrom.getTime(),
    to: now.getTime(),
  });

const figures = (credits: string, requests: number, tokensIn = '0', tokensOut = '0', usd: string | null = null, usdRequests = 0) => ({ credits, requests, tokensIn, tokensOut, usd, usdRequests });

const expectedUsage: AvailableUsage = {
  available: true,
  from: '2026-11-20T12:00:00.000Z',
  to: '2026-11-21T12:00:00.000Z',
  total: figures('9223372036854776440', 9, '4294972795', '2147484299', '0.00013', 2),
  failedCredits: '9223372036854775007',
  charters: [
    {
      charterId: 'governance:community',
      name: 'community',
      ...figures('9223372036854775409', 5, '4294968794', '2147483898', '0.00003', 1),
      runs: 2,
      medianCreditsPerRun: '4611686018427387705', // (402 + 9223372036854775007) / 2, rounded up
      failedRuns: 1,
      failedCredits: '9223372036854775007',
    },
    { charterId: 'governance:engineering', name: 'engineering', ...figures('1001', 2, '4000', '400', '0.0001', 1), runs: 1, medianCreditsPerRun: '1001', failedRuns: 0, failedCredits: '0' },
  ],
  chartersOther: null,
  unattributed: figures('30', 2, '1', '1'),
  models: [
    { model: 'anthropic/claude', ...figures('9223372036854775307', 3, '4294968294', '2147483848', '0.00003', 1) },
    { model: 'openai/gpt', ...figures('1107', 4, '4501', '451', '0.0001', 1) },
    { model: null, ...figures('25', 1) },
    { model: '[redacted]', ...figures('1', 1) },
  ],
  modelsOther: null,
  agents: [
    { agent: 'langgraph:community', ...figures('9223372036854775409', 5, '4294968794', '2147483898', '0.00003', 1) },
    { agent: 'langgraph:engineering', ...figures('1006', 3, '4001', '401', '0.0001', 1) },
    { agent: null, ...figures('25', 1) },
  ],
  agentsOther: null,
};

describe.each<Ledger>(['schedule_runs', 'graph_runs'])('usage on %s', (ledger) => {
  let database: TestDatabase;
  let reader: pg.Pool;
  const source = () => createPostgresGovernanceSource(reader, { statementTimeoutMs: 5_000, databaseClock: 'worker' });

  beforeAll(async () => {
    database = await createTestDatabase({ ledger });
    await seed(database.admin, ledger);
    reader = new pg.Pool({ connectionString: database.readerUrl, max: 1 });
  });
  afterAll(async () => {
    await reader?.end();
    await database?.drop();
  });

  it('equals the hand-computed fixture per charter, model and agent, as the reader role under forced RLS', async () => {
    const facts = await readFacts(source(), query);
    expect(facts.usage.details).toBe('available');
    expect(summarize(facts)).toEqual(expectedUsage);
    // the usage is the spend, receipt for receipt
    expect(facts.usage.rows.reduce((sum, row) => sum + row.credits, 0n)).toBe(facts.spentSinceSpendFrom);
  });

  it("never shows another tenant's receipts, models or agents, even under a run_id the system uses too", async () => {
    const facts = await readFacts(source(), query);
    const text = JSON.stringify(summarize(facts));
    for (const leak of ['other/secret-model', 'langgraph:other-secret', '1000000', '0.1']) expect(text).not.toContain(leak);
    expect(facts.usage.rows.map((row) => row.model)).not.toContain('other/secret-model');
    // and the table really holds it: the superuser sees both tenants' details
    const { rows } = await database.admin.query('SELECT count(*)::int AS n FROM llm_charge_details');
    expect(rows[0].n).toBe(receipts.filter((receipt) => receipt.details).length);
  });

  it("the bench's tick without usage is the same read less its two usage statements (the side-by-side comparison's baseline)", async () => {
    await expect(checkVariants(reader, query)).resolves.toBeUndefined();
    const without = await readFacts(createPostgresGovernanceSource(poolWithoutUsage(reader), { statementTimeoutMs: 5_000, databaseClock: 'worker' }), query);
    const full = await readFacts(source(), query);
    expect(without.usage.rows).toEqual([]);
    expect({ ...without, usage: null }).toEqual({ ...full, usage: null });
  });

  it('counts closed days per charter and model, through the stretch’s own runs', async () => {
    const history = await source().readHistory({ principalId: system.userId, billingAccountId: system.accountId, from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-22T00:00:00Z') });
    const days = summarizeUsageDays(history.usageByDay, usageRunsOf(history))!;
    expect(Object.fromEntries(days)).toEqual({
      // e-old is one of this stretch's runs: both its receipts are engineering's
      '2026-11-20': { total: ['1004', 2, '2', '2', null], charters: [['governance:engineering', '1004', 2, '2', '2', null]], chartersOther: null, models: [['openai/gpt', '1004', 2, '2', '2', null]], modelsOther: null },
      '2026-11-21': {
        total: ['9223372036854776435', 8, '4294972794', '2147484298', '0.00013'],
        charters: [
          ['governance:community', '9223372036854775409', 5, '4294968794', '2147483898', '0.00003'],
          ['governance:engineering', '1001', 2, '4000', '400', '0.0001'],
          [null, '25', 1, '0', '0', null],
        ],
        chartersOther: null,
        models: [
          ['anthropic/claude', '9223372036854775307', 3, '4294968294', '2147483848', '0.00003'],
          ['openai/gpt', '1102', 3, '4500', '450', '0.0001'],
          [null, '25', 1, '0', '0', null],
          ['[redacted]', '1', 1, '0', '0', null],
        ],
        modelsOther: null,
      },
    });
    // a day that closes on a tick reads its usage alone: the same rows
    const query = { principalId: system.userId, billingAccountId: system.accountId, from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-22T00:00:00Z') };
    expect(await source().readDayUsage(query)).toEqual(history.usageByDay);
  });

  it('without SELECT on llm_charge_details (or on one of its columns) still reads everything else, in one transaction, and says usage is unavailable', async () => {
    const withGrant = await readFacts(source(), query);
    const role = pg.escapeIdentifier(inject('readerRole'));
    await database.admin.query(`REVOKE SELECT ON llm_charge_details FROM ${role}`);
    try {
      for (const grant of [null, `GRANT SELECT (charge_receipt_id, model) ON llm_charge_details TO ${role}`]) {
        if (grant) await database.admin.query(grant);
        const facts = await readFacts(source(), query);
        expect(facts.usage.details).toBe('no_permission');
        expect(summarize(facts)).toEqual({ available: false, reason: 'no_permission' });
        // everything else as with the grant, and the receipts still sum to the spend, without models
        const { usage, clock: _clock, ...rest } = facts;
        const { usage: _, clock: _clockWithGrant, ...restWithGrant } = withGrant;
        expect(rest).toEqual(restWithGrant);
        expect(usage.rows.every((row) => row.model === null && row.agent === null)).toBe(true);
        expect(usage.rows.reduce((sum, row) => sum + row.credits, 0n)).toBe(facts.spentSinceSpendFrom);
        const history = await source().readHistory({ principalId: system.userId, billingAccountId: system.accountId, from: new Date('2026-11-21T00:00:00Z'), to: new Date('2026-11-22T00:00:00Z') });
        expect(history.usageByDay.details).toBe('no_permission');
        const snapshot = await buildSnapshot(source(), { principalId: system.userId, billingAccountId: system.accountId, staleAfterMs: () => 180_000, rules: defaultRules }, now, createLogger(() => {}));
        expect(snapshot.charters.map((charter) => charter.id)).toEqual(['governance:community', 'governance:engineering']);
      }
    } finally {
      await database.admin.query(`REVOKE ALL ON llm_charge_details FROM ${role}`);
      await database.admin.query(`GRANT SELECT ON llm_charge_details TO ${role}`);
    }
  });
});

describe('usage on a database without llm_charge_details', () => {
  let database: TestDatabase;
  let reader: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'graph_runs' });
    await database.admin.query('DROP TABLE llm_charge_details');
    await seed(database.admin, 'graph_runs', { details: false });
    reader = new pg.Pool({ connectionString: database.readerUrl, max: 1 });
  });
  afterAll(async () => {
    await reader?.end();
    await database?.drop();
  });

  it('reads everything else and says the details table is missing', async () => {
    const source = createPostgresGovernanceSource(reader, { statementTimeoutMs: 5_000, databaseClock: 'worker' });
    const facts = await readFacts(source, query);
    expect(facts.usage.details).toBe('no_table');
    expect(summarize(facts)).toEqual({ available: false, reason: 'no_table' });
    expect(facts.schedules).toHaveLength(2);
    expect(facts.usage.rows.reduce((sum, row) => sum + row.credits, 0n)).toBe(facts.spentSinceSpendFrom);
    expect(facts.spentSinceSpendFrom).toBe(9_223_372_036_854_776_440n);
  });
});

describe("the demo's receipts (npm start)", () => {
  let database: TestDatabase;
  let reader: pg.Pool;
  const demoNow = new Date('2026-11-21T12:34:56.000Z');

  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'graph_runs' });
    await seedDemoData(database.admin, demoNow);
    reader = new pg.Pool({ connectionString: database.readerUrl, max: 1 });
  });
  afterAll(async () => {
    await reader?.end();
    await database?.drop();
  });

  it('give every charter its cost per run, a few models with tokens, USD where the provider reports it, and other tenants nothing', async () => {
    const settings = { principalId: system.userId, billingAccountId: system.accountId, staleAfterMs: () => 180_000, rules: defaultRules };
    const facts = await readFacts(createPostgresGovernanceSource(reader, { statementTimeoutMs: 5_000, databaseClock: 'worker' }), queryFor(demoNow, settings));
    const usage = summarizeUsage({
      usage: facts.usage,
      runs: usageRunsOf(facts),
      charters: facts.schedules.map((schedule) => ({ id: schedule.temporalScheduleId, name: schedule.temporalScheduleId })),
      from: demoNow.getTime() - 24 * hourMs,
      to: demoNow.getTime(),
    }) as AvailableUsage;
    expect(usage.charters.map((charter) => charter.charterId).sort()).toEqual(systemCharters.map((charter) => charter.temporalId).sort());
    for (const charter of usage.charters) {
      expect(charter.runs).toBeGreaterThan(0);
      expect(BigInt(charter.medianCreditsPerRun!)).toBeGreaterThan(0n);
      expect(charter.requests).toBeGreaterThan(charter.runs); // several receipts per run
    }
    expect(usage.models.flatMap((model) => model.model ?? []).sort()).toEqual(demoModels.map((model) => model.model).sort());
    for (const model of usage.models.filter((entry) => entry.model !== null)) expect(BigInt(model.tokensIn)).toBeGreaterThan(0n);
    // yesterday's promo credits: a receipt of no run, without a model
    expect(usage.models.find((model) => model.model === null)).toMatchObject({ requests: 1, tokensIn: '0' });
    expect(usage.unattributed?.requests).toBeGreaterThanOrEqual(1);
    const llama = usage.models.find((model) => model.model?.startsWith('meta-llama/'))!;
    expect(llama).toMatchObject({ usd: null, usdRequests: 0 });
    expect(usage.total.usdRequests).toBeLessThan(usage.total.requests);
    expect(BigInt(usage.failedCredits)).toBeGreaterThan(0n); // last night's and the random failures that reached a model
    expect(JSON.stringify(usage)).not.toMatch(/user-acme|user-river|private/);
  });
});
