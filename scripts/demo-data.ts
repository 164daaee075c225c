// Realistic demo data relative to `now`: the system tenant's four governance charters with 90 days
// of runs at their cron's fires (incidents included: an afternoon without credits, a scheduler that
// stopped for three hours, a revoked grant, last night's outage), their spend, threads and balance,
// and two other tenants whose rows RLS must keep out of the public files. Set-based: one INSERT of
// unnested arrays per table. Whatever minute it starts, the story opens the same: Engineering's
// latest finished run failed (upstream_timeout) and nothing else went wrong in the last three hours;
// runs still in progress are returned, with the outcome planned for them, for the simulator to finish.
import { charterDisplayName, firesBetween } from '../shared/schedule.ts';
import type { Queryable } from './cogni/apply-schema.ts';
import { columns, insertColumns, seededRandom } from './demo-rows.ts';
import { demoCall, detailRow, privateCall } from './demo-usage.ts';

export const systemPrincipalId = '00000000-0000-4000-a000-000000000001';
export const systemBillingAccountId = '00000000-0000-4000-b000-000000000000';

export type Charter = { scheduleId: string; temporalId: string; cron: string; timezone: string; topics: string[]; historyDays: number };

export type Outcome = { status: 'success' | 'error' | 'skipped'; message: string | null; code: string | null };

/** A seeded run still in progress at `now`: the simulator finishes it at finishAt, as planned. */
export type OpenRun = { id: string; runId: string; stateKey: string; owner: string; finishAt: number; outcome: Outcome };

/** What the simulator needs to add activity that fits the seeded rows. */
export type DemoTenant = {
  charters: Charter[];
  systemKeyId: string;
  otherAccounts: Array<{ accountId: string; keyId: string }>;
  seededAt: Date;
  /** the seeded runs of every tenant still running at seededAt */
  openRuns: OpenRun[];
};

export const systemCharters: Charter[] = [
  {
    scheduleId: '10000000-0000-4000-8000-000000000001',
    temporalId: 'governance:community',
    cron: '0 */4 * * *',
    timezone: 'America/New_York',
    topics: ['Forum digest', 'Contributor onboarding check', 'Grant proposals triage', 'Community call notes'],
    historyDays: 90,
  },
  {
    scheduleId: '10000000-0000-4000-8000-000000000002',
    temporalId: 'governance:engineering',
    cron: '*/30 * * * *',
    timezone: 'Europe/Berlin',
    topics: ['Open PR review', 'Dependency update sweep', 'CI flakiness report', 'Release readiness'],
    historyDays: 90,
  },
  {
    scheduleId: '10000000-0000-4000-8000-000000000003',
    temporalId: 'governance:sustainability',
    cron: '0 6 * * *',
    timezone: 'Europe/Amsterdam',
    topics: ['Treasury runway review', 'Compute spend forecast', 'Vendor cost audit'],
    // a charter added a month ago: the days before its first run say "no data", not "ok"
    historyDays: 30,
  },
  {
    scheduleId: '10000000-0000-4000-8000-000000000004',
    temporalId: 'governance:govern',
    cron: '15 * * * *',
    timezone: 'UTC',
    topics: ['Proposal quorum check', 'Charter amendments', 'Vote tally', 'Delegate activity'],
    historyDays: 90,
  },
];

/** Failure messages as the application writes them: bare codes, prose, and one with a secret to redact. */
export const failureMessages: Array<{ message: string; code: string | null }> = [
  { message: 'rate_limited', code: null },
  { message: 'upstream model timed out after 60000 ms', code: 'upstream_timeout' },
  { message: 'GET https://bot:ghp-demo-token@api.github.com/repos/cogni/dao/pulls returned 502\n    at fetchPulls (tools/github.ts:41:11)', code: null },
  { message: 'tool call failed: forum API answered 503 Service Unavailable', code: 'tool_error' },
];

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
/** credits per US dollar is 10,000,000: this is about $2,480 */
const systemBalance = 24_815_302_417n;

/** The failure the demo opens with, the same at every start: Engineering's latest finished run. */
const openingFailure: Outcome = { status: 'error', message: 'upstream model timed out after 60000 ms', code: 'upstream_timeout' };
/** The last hours hold only the scripted story: no chance failure there, whatever minute the demo starts. */
const quietMs = 3 * hour;

/** The afternoon without credits, 12 days before `now`, 06:00 to 13:00 UTC (the demo's note is about it: scripts/demo-note.ts). */
export function creditsOutage(now: number): { from: number; to: number } {
  const twelveDaysAgo = Math.floor(now / day) * day - 12 * day;
  return { from: twelveDaysAgo + 6 * hour, to: twelveDaysAgo + 13 * hour };
}

/** The incidents of the last 90 days, by age from `now`; anything else mostly succeeds. null: no run at all. */
function outcomeAt(charter: Charter, fire: number, now: number, isOpening: boolean, random: () => number, isLatest = false): Outcome | null {
  const age = now - fire;
  const dayStart = Math.floor(now / day) * day;
  const credits = { status: 'error' as const, message: 'insufficient_credits', code: random() < 0.5 ? 'insufficient_credits' : null };
  if (age <= 19 * hour && age >= 16 * hour) return credits; // last night: the balance reached zero until a top-up
  const outage = creditsOutage(now);
  if (fire >= outage.from && fire < outage.to) return credits;
  const fortyDaysAgo = dayStart - 40 * day;
  if (fire >= fortyDaysAgo + 2 * hour && fire < fortyDaysAgo + 5 * hour) return null; // the scheduler stopped: no rows
  const revoked = dayStart - 25 * day;
  if (charter.temporalId === 'governance:community' && fire >= revoked && fire < revoked + day) {
    return { status: 'skipped', message: 'Grant validation failed', code: null };
  }
  // Engineering's newest finished run failed, so the page opens "degraded" until the next runs succeed.
  if (isOpening) return openingFailure;
  // now and then a run fails, but never a charter's latest (a daily charter's would leave it failing all day)
  if (age > quietMs && !isLatest && random() < 0.03) {
    const failure = failureMessages[Math.floor(random() * failureMessages.length)]!;
    return { status: 'error', message: failure.message, code: failure.code };
  }
  return { status: 'success', message: null, code: null };
}

type Timing = { startedAt: number; durationMs: number };

/** When a run at `fire` starts (1 to 5 s late) and how long it takes; never later than `now` to start. */
function timingOf(fire: number, now: number, random: () => number): Timing {
  return { startedAt: Math.min(now, fire + 1_000 + Math.floor(random() * 4_000)), durationMs: 30_000 + Math.floor(random() * 210_000) };
}

/** The fire whose run is Engineering's newest finished one at `now`: it failed (openingFailure). */
function openingFire(charter: Charter, fires: number[], timings: Timing[], now: number): number | null {
  if (charter.temporalId !== 'governance:engineering') return null;
  for (let index = fires.length - 1; index >= 0; index--) {
    if (timings[index]!.startedAt + timings[index]!.durationMs <= now) return fires[index]!;
  }
  return null;
}

export async function seedDemoData(db: Queryable, now: Date): Promise<DemoTenant> {
  const random = seededRandom(20261121);
  const at = now.getTime();
  const { keyOf, grantOf } = await seedTenants(db);
  const otherCharters = [
    { owner: 'user-acme', account: 'billing-acme', charter: { ...systemCharters[0]!, scheduleId: crypto.randomUUID(), cron: '*/20 * * * *', historyDays: 1 } },
    { owner: 'user-river', account: 'billing-river', charter: { ...systemCharters[3]!, scheduleId: crypto.randomUUID(), cron: '0 * * * *', historyDays: 1 } },
  ];
  for (const { owner, charter } of [...systemCharters.map((charter) => ({ owner: systemPrincipalId, charter })), ...otherCharters]) {
    // Created (and last changed) before their history began: every fire since then was due.
    const createdAt = new Date(at - (charter.historyDays + 1) * day);
    await db.query(
      `INSERT INTO schedules (id, owner_user_id, execution_grant_id, graph_id, input, cron, timezone, next_run_at, temporal_schedule_id, created_at, updated_at)
       VALUES ($1, $2, $3, 'governance', $4, $5, $6, $7, $8, $9, $9)`,
      [charter.scheduleId, owner, grantOf.get(owner), JSON.stringify({ charter: charter.temporalId }), charter.cron, charter.timezone,
        new Date(at - 3 * hour), charter.temporalId, createdAt], // next_run_at: a stale cache, as in production
    );
  }

  const rows = createRunRows(at, keyOf, random);
  for (const charter of systemCharters) {
    const fires = firesBetween(charter.cron, charter.timezone, at - charter.historyDays * day, at);
    const timings = fires.map((fire) => timingOf(fire, at, random));
    const opening = openingFire(charter, fires, timings, at);
    for (const [index, fire] of fires.entries()) {
      const outcome = outcomeAt(charter, fire, at, fire === opening, random, index >= fires.length - 2);
      if (outcome) rows.add(charter, systemPrincipalId, fire, outcome, systemBillingAccountId, timings[index]!);
    }
  }
  for (const { owner, account, charter } of otherCharters) {
    for (const fire of firesBetween(charter.cron, charter.timezone, at - day, at)) {
      const failed = random() < 0.3;
      const outcome: Outcome = failed ? { status: 'error', message: `${owner} private failure: https://admin:hunter2@${owner}.internal`, code: null } : { status: 'success', message: null, code: null };
      rows.add(charter, owner, fire, outcome, account, timingOf(fire, at, random));
    }
  }
  // Receipts of no run and without details: a manual adjustment now and then, and promo credits used.
  for (let daysAgo = 1; daysAgo <= 89; daysAgo += 11) {
    const kind = daysAgo % 2 === 0 ? { reason: 'manual_adjustment', kind: 'adjustment' } : { reason: 'promo_credit_consumption', kind: 'promo' };
    rows.receipts.push({
      id: crypto.randomUUID(), billing_account_id: systemBillingAccountId, virtual_key_id: keyOf.get(systemBillingAccountId), run_id: `${kind.kind}-${daysAgo}`,
      attempt: 1, charged_credits: 5_000_000 + Math.floor(random() * 20_000_000), response_cost_usd: null, provenance: 'demo', charge_reason: kind.reason,
      source_system: 'billing', source_reference: crypto.randomUUID(), receipt_kind: kind.kind, created_at: new Date(at - daysAgo * day + 3 * hour),
    });
  }
  // A soft-deleted thread: newest of all, and never shown.
  rows.threads.push({ owner_user_id: systemPrincipalId, state_key: 'draft-deleted', messages: '[]', metadata: JSON.stringify({ title: 'Draft: discarded agenda' }), created_at: now, updated_at: now, deleted_at: now });
  await rows.insert(db);
  await db.query('ANALYZE');

  const otherAccounts = otherCharters.map(({ account }) => ({ accountId: account, keyId: keyOf.get(account)! }));
  return { charters: systemCharters, systemKeyId: keyOf.get(systemBillingAccountId)!, otherAccounts, seededAt: now, openRuns: rows.openRuns };
}

/** The system tenant and two others: users, billing accounts, virtual keys and execution grants. */
async function seedTenants(db: Queryable): Promise<{ keyOf: Map<string, string>; grantOf: Map<string, string> }> {
  await db.query(
    `INSERT INTO users (id, name) VALUES ($1, 'Cogni system'), ('user-acme', 'Acme DAO'), ('user-river', 'River Collective')`,
    [systemPrincipalId],
  );
  await db.query(
    `INSERT INTO billing_accounts (id, owner_user_id, balance_credits, is_system_tenant, slug)
     VALUES ($1, $2, $3, true, 'cogni_system'),
            ('billing-acme', 'user-acme', 913000000, false, 'acme'),
            ('billing-river', 'user-river', -5000, false, 'river')`,
    [systemBillingAccountId, systemPrincipalId, systemBalance.toString()],
  );
  const keys = await db.query(
    `INSERT INTO virtual_keys (billing_account_id, is_default) VALUES ($1, true), ('billing-acme', true), ('billing-river', true)
     RETURNING id, billing_account_id`,
    [systemBillingAccountId],
  );
  const grants = await db.query(
    `INSERT INTO execution_grants (user_id, billing_account_id, scopes)
     VALUES ($1, $2, '{graph:run}'), ('user-acme', 'billing-acme', '{graph:run}'), ('user-river', 'billing-river', '{graph:run}')
     RETURNING id, user_id`,
    [systemPrincipalId, systemBillingAccountId],
  );
  return {
    keyOf: new Map((keys.rows as Array<{ id: string; billing_account_id: string }>).map((row) => [row.billing_account_id, row.id])),
    grantOf: new Map((grants.rows as Array<{ id: string; user_id: string }>).map((row) => [row.user_id, row.id])),
  };
}

/** The rows of every run (its ledger row, its charges, its thread), collected and inserted set-wise. */
function createRunRows(at: number, keyOf: Map<string, string>, random: () => number) {
  const runs = columns(['id', 'schedule_id', 'run_id', 'scheduled_for', 'started_at', 'completed_at', 'status', 'attempt_count', 'error_message',
    'graph_id', 'run_kind', 'trigger_source', 'trigger_ref', 'requested_by', 'error_code', 'state_key'] as const);
  const receipts = columns(['id', 'billing_account_id', 'virtual_key_id', 'run_id', 'attempt', 'charged_credits', 'response_cost_usd', 'provenance',
    'charge_reason', 'source_system', 'source_reference', 'receipt_kind', 'created_at'] as const);
  const details = columns(['charge_receipt_id', 'provider_call_id', 'model', 'provider', 'tokens_in', 'tokens_out', 'latency_ms', 'graph_id'] as const);
  const threads = columns(['owner_user_id', 'state_key', 'messages', 'metadata', 'created_at', 'updated_at', 'deleted_at'] as const);
  const openRuns: OpenRun[] = [];

  const add = (charter: Charter, owner: string, fire: number, outcome: Outcome, account: string, timing: Timing) => {
    const { startedAt } = timing;
    // A run refused for want of credits, or skipped, never reached a model: over at once, no charge, no thread.
    const refused = outcome.status === 'skipped' || outcome.message === 'insufficient_credits';
    const finishAt = startedAt + (refused ? 1_200 : timing.durationMs);
    const finished = finishAt <= at;
    const slug = charter.temporalId.replace(/^governance:/, '');
    const runId = `${slug}-${new Date(fire).toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${owner.slice(-4)}`;
    const stateKey = `governance-${runId}`;
    const id = crypto.randomUUID();
    runs.push({
      id, schedule_id: charter.scheduleId, run_id: runId, scheduled_for: new Date(fire), started_at: new Date(startedAt),
      completed_at: finished ? new Date(finishAt) : null, status: finished ? outcome.status : 'running', attempt_count: 1,
      error_message: finished ? outcome.message : null, graph_id: 'governance', run_kind: 'system_scheduled', trigger_source: 'temporal_schedule',
      trigger_ref: charter.temporalId, requested_by: owner, error_code: finished ? outcome.code : null, state_key: stateKey,
    });
    if (!finished) openRuns.push({ id, runId, stateKey, owner, finishAt, outcome });
    if (refused) return;
    const until = Math.min(finishAt, at);
    const count = owner === systemPrincipalId ? 2 + Math.floor(random() * 4) : 1;
    for (let i = 0; i < count; i++) {
      const credits = owner === systemPrincipalId ? 400_000 + Math.floor(random() * 2_600_000) : 90_000_000;
      const call = owner === systemPrincipalId ? demoCall(systemCharters, charter, i, random) : privateCall(owner);
      const receiptId = crypto.randomUUID();
      receipts.push({
        id: receiptId, billing_account_id: account, virtual_key_id: keyOf.get(account), run_id: runId, attempt: 1, charged_credits: credits,
        response_cost_usd: call.model.reportsUsd ? (credits / 10_000_000).toFixed(7) : null, provenance: 'demo', charge_reason: 'llm_usage', source_system: 'litellm',
        source_reference: crypto.randomUUID(), receipt_kind: 'llm', created_at: new Date(startedAt + ((i + 1) * (until - startedAt)) / (count + 1)),
      });
      details.push(detailRow(receiptId, call, credits, random));
    }
    const title = owner === systemPrincipalId ? threadTitle(charter, random) : `${owner} private thread`;
    threads.push({
      owner_user_id: owner, state_key: stateKey, messages: JSON.stringify([{ role: 'system', content: title }]), metadata: JSON.stringify({ title }),
      created_at: new Date(startedAt), updated_at: new Date(until), deleted_at: null,
    });
  };

  const insert = async (db: Queryable) => {
    await insertColumns(db, 'graph_runs', {
      id: 'uuid', schedule_id: 'uuid', run_id: 'text', scheduled_for: 'timestamptz', started_at: 'timestamptz', completed_at: 'timestamptz', status: 'text',
      attempt_count: 'int', error_message: 'text', graph_id: 'text', run_kind: 'text', trigger_source: 'text', trigger_ref: 'text', requested_by: 'text',
      error_code: 'text', state_key: 'text',
    }, runs.data);
    await insertColumns(db, 'charge_receipts', {
      id: 'uuid', billing_account_id: 'text', virtual_key_id: 'uuid', run_id: 'text', attempt: 'int', charged_credits: 'bigint', response_cost_usd: 'numeric',
      provenance: 'text', charge_reason: 'text', source_system: 'text', source_reference: 'text', receipt_kind: 'text', created_at: 'timestamptz',
    }, receipts.data);
    await insertColumns(db, 'llm_charge_details', {
      charge_receipt_id: 'uuid', provider_call_id: 'text', model: 'text', provider: 'text', tokens_in: 'int', tokens_out: 'int', latency_ms: 'int', graph_id: 'text',
    }, details.data);
    await insertColumns(db, 'ai_threads', {
      owner_user_id: 'text', state_key: 'text', messages: 'jsonb', metadata: 'jsonb', created_at: 'timestamptz', updated_at: 'timestamptz', deleted_at: 'timestamptz',
    }, threads.data);
  };
  return { add, insert, threads, receipts, openRuns };
}

export function threadTitle(charter: Charter, random: () => number): string {
  return `${charterDisplayName(charter.temporalId)}: ${charter.topics[Math.floor(random() * charter.topics.length)]!}`;
}
