// Realistic demo data relative to `now`: the system tenant's four governance charters with 90 days
// of runs at their cron's fires (incidents included: an afternoon without credits, a scheduler that
// stopped for three hours, a revoked grant, last night's outage), their spend, threads and balance,
// and two other tenants whose rows RLS must keep out of the public files. Set-based: one INSERT of
// unnested arrays per table.
import { charterDisplayName, firesBetween } from '../shared/schedule.ts';
import type { Queryable } from './cogni/apply-schema.ts';

export const systemPrincipalId = '00000000-0000-4000-a000-000000000001';
export const systemBillingAccountId = '00000000-0000-4000-b000-000000000000';

export type Charter = { scheduleId: string; temporalId: string; cron: string; timezone: string; topics: string[]; historyDays: number };

/** What the simulator needs to add activity that fits the seeded rows. */
export type DemoTenant = { charters: Charter[]; systemKeyId: string; otherAccounts: Array<{ accountId: string; keyId: string }>; seededAt: Date };

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

type Outcome = { status: 'success' | 'error' | 'skipped'; message: string | null; code: string | null } | null;

/** The afternoon without credits, 12 days before `now`, 06:00 to 13:00 UTC (the demo's note is about it: scripts/demo-note.ts). */
export function creditsOutage(now: number): { from: number; to: number } {
  const twelveDaysAgo = Math.floor(now / day) * day - 12 * day;
  return { from: twelveDaysAgo + 6 * hour, to: twelveDaysAgo + 13 * hour };
}

/** The incidents of the last 90 days, by age from `now`; anything else mostly succeeds. */
function outcomeAt(charter: Charter, fire: number, now: number, isNewest: boolean, random: () => number): Outcome {
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
  // The newest engineering run failed, so the page opens "degraded" until the next runs succeed.
  if ((isNewest && charter.temporalId === 'governance:engineering') || random() < 0.03) {
    const failure = failureMessages[Math.floor(random() * failureMessages.length)]!;
    return { status: 'error', message: failure.message, code: failure.code };
  }
  return { status: 'success', message: null, code: null };
}

/** Column arrays, one per column, filled row by row and inserted with one unnest. */
function columns<K extends string>(names: readonly K[]) {
  const data = Object.fromEntries(names.map((name) => [name, [] as unknown[]])) as Record<K, unknown[]>;
  return { data, push: (row: Record<K, unknown>) => names.forEach((name) => data[name].push(row[name])) };
}

async function insertColumns(db: Queryable, table: string, types: Record<string, string>, data: Record<string, unknown[]>): Promise<void> {
  const names = Object.keys(types);
  const arrays = names.map((name, index) => `$${index + 1}::${types[name]}[]`).join(', ');
  await db.query(`INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${arrays})`, names.map((name) => data[name]));
}

export async function seedDemoData(db: Queryable, now: Date): Promise<DemoTenant> {
  const random = seededRandom(20261121);
  const at = now.getTime();
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

  const runs = columns(['id', 'schedule_id', 'run_id', 'scheduled_for', 'started_at', 'completed_at', 'status', 'attempt_count', 'error_message',
    'graph_id', 'run_kind', 'trigger_source', 'trigger_ref', 'requested_by', 'error_code', 'state_key'] as const);
  const receipts = columns(['billing_account_id', 'virtual_key_id', 'run_id', 'attempt', 'charged_credits', 'response_cost_usd', 'provenance',
    'charge_reason', 'source_system', 'source_reference', 'receipt_kind', 'created_at'] as const);
  const threads = columns(['owner_user_id', 'state_key', 'messages', 'metadata', 'created_at', 'updated_at', 'deleted_at'] as const);

  const addRun = (charter: Charter, owner: string, fire: number, outcome: NonNullable<Outcome>, account: string) => {
    const startedAt = fire + 1_000 + Math.floor(random() * 4_000);
    const durationMs = outcome.message === 'insufficient_credits' || outcome.status === 'skipped' ? 1_200 : 30_000 + Math.floor(random() * 210_000);
    const finishedAt = startedAt + durationMs <= at ? startedAt + durationMs : null;
    const slug = charter.temporalId.replace(/^governance:/, '');
    const runId = `${slug}-${new Date(fire).toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${owner.slice(-4)}`;
    const stateKey = `governance-${runId}`;
    const finished = finishedAt !== null;
    runs.push({
      id: crypto.randomUUID(), schedule_id: charter.scheduleId, run_id: runId, scheduled_for: new Date(fire), started_at: new Date(startedAt),
      completed_at: finished ? new Date(finishedAt) : null, status: finished ? outcome.status : 'running', attempt_count: 1,
      error_message: finished ? outcome.message : null, graph_id: 'governance', run_kind: 'system_scheduled', trigger_source: 'temporal_schedule',
      trigger_ref: charter.temporalId, requested_by: owner, error_code: finished ? outcome.code : null, state_key: stateKey,
    });
    // A run refused for want of credits, or skipped, never reached a model: no charge, no thread.
    if (outcome.status === 'skipped' || outcome.message === 'insufficient_credits') return;
    const until = finishedAt ?? at;
    const count = owner === systemPrincipalId ? 2 + Math.floor(random() * 4) : 1;
    for (let i = 0; i < count; i++) {
      const credits = owner === systemPrincipalId ? 400_000 + Math.floor(random() * 2_600_000) : 90_000_000;
      receipts.push({
        billing_account_id: account, virtual_key_id: keyOf.get(account), run_id: runId, attempt: 1, charged_credits: credits,
        response_cost_usd: (credits / 10_000_000).toFixed(7), provenance: 'demo', charge_reason: 'llm_usage', source_system: 'litellm',
        source_reference: crypto.randomUUID(), receipt_kind: 'charge', created_at: new Date(startedAt + ((i + 1) * (until - startedAt)) / (count + 1)),
      });
    }
    const title = owner === systemPrincipalId ? threadTitle(charter, random) : `${owner} private thread`;
    threads.push({
      owner_user_id: owner, state_key: stateKey, messages: JSON.stringify([{ role: 'system', content: title }]), metadata: JSON.stringify({ title }),
      created_at: new Date(startedAt), updated_at: new Date(until), deleted_at: null,
    });
  };

  for (const charter of systemCharters) {
    const fires = firesBetween(charter.cron, charter.timezone, at - charter.historyDays * day, at);
    for (const [index, fire] of fires.entries()) {
      const outcome = outcomeAt(charter, fire, at, index === fires.length - 1, random);
      if (outcome) addRun(charter, systemPrincipalId, fire, outcome, systemBillingAccountId);
    }
  }
  for (const { owner, account, charter } of otherCharters) {
    for (const fire of firesBetween(charter.cron, charter.timezone, at - day, at)) {
      const failed = random() < 0.3;
      addRun(charter, owner, fire, failed ? { status: 'error', message: `${owner} private failure: https://admin:hunter2@${owner}.internal`, code: null } : { status: 'success', message: null, code: null }, account);
    }
  }
  // A soft-deleted thread: newest of all, and never shown.
  threads.push({ owner_user_id: systemPrincipalId, state_key: 'draft-deleted', messages: '[]', metadata: JSON.stringify({ title: 'Draft: discarded agenda' }), created_at: now, updated_at: now, deleted_at: now });

  await insertColumns(db, 'graph_runs', {
    id: 'uuid', schedule_id: 'uuid', run_id: 'text', scheduled_for: 'timestamptz', started_at: 'timestamptz', completed_at: 'timestamptz', status: 'text',
    attempt_count: 'int', error_message: 'text', graph_id: 'text', run_kind: 'text', trigger_source: 'text', trigger_ref: 'text', requested_by: 'text',
    error_code: 'text', state_key: 'text',
  }, runs.data);
  await insertColumns(db, 'charge_receipts', {
    billing_account_id: 'text', virtual_key_id: 'uuid', run_id: 'text', attempt: 'int', charged_credits: 'bigint', response_cost_usd: 'numeric',
    provenance: 'text', charge_reason: 'text', source_system: 'text', source_reference: 'text', receipt_kind: 'text', created_at: 'timestamptz',
  }, receipts.data);
  await insertColumns(db, 'ai_threads', {
    owner_user_id: 'text', state_key: 'text', messages: 'jsonb', metadata: 'jsonb', created_at: 'timestamptz', updated_at: 'timestamptz', deleted_at: 'timestamptz',
  }, threads.data);
  await db.query('ANALYZE');

  const otherAccounts = otherCharters.map(({ account }) => ({ accountId: account, keyId: keyOf.get(account)! }));
  return { charters: systemCharters, systemKeyId: keyOf.get(systemBillingAccountId)!, otherAccounts, seededAt: now };
}

export function threadTitle(charter: Charter, random: () => number): string {
  return `${charterDisplayName(charter.temporalId)}: ${charter.topics[Math.floor(random() * charter.topics.length)]!}`;
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
