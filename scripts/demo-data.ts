// Realistic demo data relative to `now`: the system tenant's four governance charters with two days
// of runs (an overnight insufficient_credits outage included), their spend, threads and balance,
// and two other tenants whose rows RLS must keep out of the public snapshot.
import { CronExpressionParser } from 'cron-parser';
import { charterDisplayName } from '../shared/schedule.ts';
import type { Queryable } from './cogni/apply-schema.ts';

export const systemPrincipalId = '00000000-0000-4000-a000-000000000001';
export const systemBillingAccountId = '00000000-0000-4000-b000-000000000000';

export type Charter = { scheduleId: string; temporalId: string; cron: string; timezone: string; topics: string[] };

/** What the simulator needs to add activity that fits the seeded rows. */
export type DemoTenant = { charters: Charter[]; systemKeyId: string; otherAccounts: Array<{ accountId: string; keyId: string }> };

export const systemCharters: Charter[] = [
  {
    scheduleId: '10000000-0000-4000-8000-000000000001',
    temporalId: 'governance:community',
    cron: '0 */4 * * *',
    timezone: 'America/New_York',
    topics: ['Forum digest', 'Contributor onboarding check', 'Grant proposals triage', 'Community call notes'],
  },
  {
    scheduleId: '10000000-0000-4000-8000-000000000002',
    temporalId: 'governance:engineering',
    cron: '*/30 * * * *',
    timezone: 'Europe/Berlin',
    topics: ['Open PR review', 'Dependency update sweep', 'CI flakiness report', 'Release readiness'],
  },
  {
    scheduleId: '10000000-0000-4000-8000-000000000003',
    temporalId: 'governance:sustainability',
    cron: '0 6 * * *',
    timezone: 'Europe/Amsterdam',
    topics: ['Treasury runway review', 'Compute spend forecast', 'Vendor cost audit'],
  },
  {
    scheduleId: '10000000-0000-4000-8000-000000000004',
    temporalId: 'governance:govern',
    cron: '15 * * * *',
    timezone: 'UTC',
    topics: ['Proposal quorum check', 'Charter amendments', 'Vote tally', 'Delegate activity'],
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
/** credits per US dollar is 10,000,000: this is about $2,480 */
const systemBalance = 24_815_302_417n;
/** the overnight outage: the balance reached zero, every run failed until a top-up */
const outage = { from: 19 * hour, to: 16 * hour };

export async function seedDemoData(db: Queryable, now: Date): Promise<DemoTenant> {
  const random = seededRandom(20261121);
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
  const keyOf = new Map((keys.rows as Array<{ id: string; billing_account_id: string }>).map((row) => [row.billing_account_id, row.id]));
  const grants = await db.query(
    `INSERT INTO execution_grants (user_id, billing_account_id, scopes)
     VALUES ($1, $2, '{graph:run}'), ('user-acme', 'billing-acme', '{graph:run}'), ('user-river', 'billing-river', '{graph:run}')
     RETURNING id, user_id`,
    [systemPrincipalId, systemBillingAccountId],
  );
  const grantOf = new Map((grants.rows as Array<{ id: string; user_id: string }>).map((row) => [row.user_id, row.id]));

  const otherCharters = [
    { owner: 'user-acme', account: 'billing-acme', charter: { ...systemCharters[0]!, scheduleId: crypto.randomUUID(), cron: '*/20 * * * *' } },
    { owner: 'user-river', account: 'billing-river', charter: { ...systemCharters[3]!, scheduleId: crypto.randomUUID(), cron: '0 * * * *' } },
  ];
  for (const { owner, charter } of [...systemCharters.map((charter) => ({ owner: systemPrincipalId, charter })), ...otherCharters]) {
    await db.query(
      `INSERT INTO schedules (id, owner_user_id, execution_grant_id, graph_id, input, cron, timezone, next_run_at, temporal_schedule_id)
       VALUES ($1, $2, $3, 'governance', $4, $5, $6, $7, $8)`,
      [charter.scheduleId, owner, grantOf.get(owner), JSON.stringify({ charter: charter.temporalId }), charter.cron, charter.timezone,
        new Date(now.getTime() - 3 * hour), charter.temporalId], // next_run_at: a stale cache, as in production
    );
  }

  for (const charter of systemCharters) {
    const fires = firesBetween(charter, new Date(now.getTime() - 48 * hour), now);
    for (const [index, scheduledFor] of fires.entries()) {
      const age = now.getTime() - scheduledFor.getTime();
      const last = index === fires.length - 1;
      const inOutage = age <= outage.from && age >= outage.to;
      // The newest engineering run failed, so the page opens "degraded" until the simulator's runs succeed.
      const failure = inOutage
        ? { message: 'insufficient_credits', code: random() < 0.5 ? 'insufficient_credits' : null }
        : (last && charter.temporalId === 'governance:engineering') || random() < 0.06
          ? failureMessages[Math.floor(random() * failureMessages.length)]!
          : null;
      const run = await insertRun(db, { charter, owner: systemPrincipalId, scheduledFor, now, failure, random });
      // A run refused for want of credits never reached a model: no charge, no thread.
      if (failure?.message === 'insufficient_credits') continue;
      const until = run.finishedAt ?? now;
      const receipts = 2 + Math.floor(random() * 4);
      for (let i = 0; i < receipts; i++) {
        const at = new Date(run.startedAt.getTime() + (i + 1) * ((until.getTime() - run.startedAt.getTime()) / (receipts + 1)));
        await insertReceipt(db, { accountId: systemBillingAccountId, keyId: keyOf.get(systemBillingAccountId)!, runId: run.runId, at, credits: 400_000 + Math.floor(random() * 2_600_000) });
      }
      await insertThread(db, { owner: systemPrincipalId, stateKey: run.stateKey, title: threadTitle(charter, random), createdAt: run.startedAt, updatedAt: until });
    }
  }
  // A soft-deleted thread: newest of all, and never shown.
  await insertThread(db, { owner: systemPrincipalId, stateKey: 'draft-deleted', title: 'Draft: discarded agenda', createdAt: now, updatedAt: now, deletedAt: now });

  const otherAccounts: DemoTenant['otherAccounts'] = [];
  for (const { owner, account, charter } of otherCharters) {
    otherAccounts.push({ accountId: account, keyId: keyOf.get(account)! });
    for (const scheduledFor of firesBetween(charter, new Date(now.getTime() - 24 * hour), now)) {
      const failure = random() < 0.3 ? { message: `${owner} private failure: https://admin:hunter2@${owner}.internal`, code: null } : null;
      const run = await insertRun(db, { charter, owner, scheduledFor, now, failure, random });
      await insertReceipt(db, { accountId: account, keyId: keyOf.get(account)!, runId: run.runId, at: run.startedAt, credits: 90_000_000 });
      await insertThread(db, { owner, stateKey: run.stateKey, title: `${owner} private thread`, createdAt: run.startedAt, updatedAt: run.finishedAt ?? now });
    }
  }
  return { charters: systemCharters, systemKeyId: keyOf.get(systemBillingAccountId)!, otherAccounts };
}

export function threadTitle(charter: Charter, random: () => number): string {
  return `${charterDisplayName(charter.temporalId)}: ${charter.topics[Math.floor(random() * charter.topics.length)]!}`;
}

type RunInput = {
  charter: Charter;
  owner: string;
  scheduledFor: Date;
  now: Date;
  failure: { message: string; code: string | null } | null;
  random: () => number;
  triggerSource?: string;
};

/** A run of the graph_runs ledger; still running when it started less than its duration ago. */
export async function insertRun(db: Queryable, input: RunInput) {
  const { charter, owner, scheduledFor, now, failure, random } = input;
  const startedAt = new Date(scheduledFor.getTime() + 1_000 + Math.floor(random() * 4_000));
  const durationMs = failure?.message === 'insufficient_credits' ? 1_200 : 30_000 + Math.floor(random() * 210_000);
  const finishedAt = startedAt.getTime() + durationMs <= now.getTime() ? new Date(startedAt.getTime() + durationMs) : null;
  const slug = charter.temporalId.replace(/^governance:/, '');
  const runId = `${slug}-${scheduledFor.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${owner.slice(-4)}`;
  const stateKey = `governance-${runId}`;
  await db.query(
    `INSERT INTO graph_runs (id, schedule_id, run_id, scheduled_for, started_at, completed_at, status, attempt_count,
                             error_message, graph_id, run_kind, trigger_source, trigger_ref, requested_by, error_code, state_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, 'governance', 'scheduled', $9, $10, $11, $12, $13)`,
    [crypto.randomUUID(), charter.scheduleId, runId, scheduledFor, startedAt, finishedAt,
      finishedAt === null ? 'running' : failure ? 'error' : 'success',
      finishedAt && failure ? failure.message : null, input.triggerSource ?? 'temporal', charter.temporalId, owner,
      finishedAt && failure ? failure.code : null, stateKey],
  );
  return { runId, stateKey, startedAt, finishedAt };
}

export async function insertReceipt(
  db: Queryable,
  { accountId, keyId, runId, at, credits }: { accountId: string; keyId: string; runId: string; at: Date; credits: number },
): Promise<void> {
  await db.query(
    `INSERT INTO charge_receipts (billing_account_id, virtual_key_id, run_id, attempt, charged_credits, response_cost_usd,
                                  provenance, charge_reason, source_system, source_reference, receipt_kind, created_at)
     VALUES ($1, $2, $3, 1, $4, $5, 'demo', 'llm_usage', 'litellm', $6, 'charge', $7)`,
    [accountId, keyId, runId, credits, (credits / 10_000_000).toFixed(7), crypto.randomUUID(), at],
  );
}

export async function insertThread(
  db: Queryable,
  thread: { owner: string; stateKey: string; title: string; createdAt: Date; updatedAt: Date; deletedAt?: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO ai_threads (owner_user_id, state_key, messages, metadata, created_at, updated_at, deleted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (owner_user_id, state_key) DO UPDATE SET updated_at = EXCLUDED.updated_at`,
    [thread.owner, thread.stateKey, JSON.stringify([{ role: 'system', content: thread.title }]), JSON.stringify({ title: thread.title }),
      thread.createdAt, thread.updatedAt, thread.deletedAt ?? null],
  );
}

function firesBetween(charter: Charter, from: Date, to: Date): Date[] {
  const fires: Date[] = [];
  const expression = CronExpressionParser.parse(charter.cron, { currentDate: from, endDate: to, tz: charter.timezone });
  while (expression.hasNext()) fires.push(expression.next().toDate());
  return fires;
}

/** mulberry32: the same mix of outcomes on every start, so the first page a reader sees is predictable */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
