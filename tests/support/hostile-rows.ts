// Rows an adversary (or a careless application) could write into the tables the worker reads:
// secrets in names, titles and error messages, bidi overrides, markup, 100,000-character keys. Each
// secret is listed so a test can prove that none of it reaches the public file. All times are
// relative to hostileNow, the instant the browser fixtures are generated at.
import type { Ledger, Queryable } from '../../scripts/cogni/apply-schema.ts';

export const hostileNow = new Date('2026-11-21T12:00:30.000Z');
const principal = '00000000-0000-4000-a000-000000000001';
const account = '00000000-0000-4000-b000-000000000000';

/** Every substring that must never appear in any public file built from these rows. */
export const hostileSecrets = [
  'NamePassw0rd',
  'TitlePass',
  'sk-proj-T1tleSecretKey0123456789',
  'sk-proj-Hidden0123456789abcdef',
  'jane.doe@cogni.example',
  'ASIAY34FZKBOKMUTVV7A',
  'xoxp-2048-9134-AbCdEf',
  'xoxb-17653672481-19874698323',
  'abc123def',
  'hunter2',
  '3dJk9%2FzQ%3D',
  'Adm1nPass',
  'eyJzdWIiOiJhIn0',
  'S3cretPw',
  'ghp_16C7e42F292c6912E7710c8',
  'AKIAIOSFODNN7EXAMPLE',
  'CodeSecret0123',
  // a random token at the start of a 100,000-character run id: found by its shape, however long the run
  'Zx8Kq2Lw9Pv4Tn7R',
  'StackOnly',
  // behind a variation selector, which NFKC keeps and nothing shows
  'VsHidden0123456789abcdef',
];

/** One line each, as an application's error_message would hold it (first lines only reach the file). */
const errorMessages = [
  'notify jane.doe@cogni.example failed; AccessDenied for ASIAY34FZKBOKMUTVV7A',
  'chat.postMessage: xoxp-2048-9134-AbCdEf rejected, bot xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy too',
  'HTTP 401 with Authorization: Token abc123def; the password is hunter2',
  'PUT https://a.blob.core.windows.net/c/x?sp=rw&sig=3dJk9%2FzQ%3D failed\nstack line with postgres://x:StackOnly@h',
  'ran curl -u admin:Adm1nPass https://ci/x then mysql admin:S3cretPw@db.internal',
  'accepted alg-none eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0. from \u202egnp.exe',
  'clone with ghp_16C7e42F292c6912E7710c8 via postgres://u:TitlePass@h/d as AKIAIOSFODNN7EXAMPLE',
  `<script>alert("x")</script> sk-proj-Hidden0123456789abcdef ${'\u200b'.repeat(20)} ${'padding '.repeat(200)}`,
  'login password\ufe0f=hunter2 failed; retried with sk-proj-\ufe0fVsHidden0123456789abcdef',
];

const longName = `governance:\u202e<script>alert(1)</script><img src=x onerror=alert(2)>${'Sustainability'.repeat(729)}`; // 10,200+ characters
const longStateKey = `thread-${'k'.repeat(100_000)}`;

export async function seedHostileRows(db: Queryable, ledger: Ledger): Promise<void> {
  await db.query("INSERT INTO users (id, name) VALUES ($1, 'Cogni system')", [principal]);
  await db.query("INSERT INTO billing_accounts (id, owner_user_id, balance_credits, is_system_tenant, slug) VALUES ($1, $2, 500000000, true, 'cogni_system')", [account, principal]);
  const { rows: keys } = await db.query('INSERT INTO virtual_keys (billing_account_id, is_default) VALUES ($1, true) RETURNING id', [account]);
  const keyId = (keys[0] as { id: string }).id;
  await db.query(
    `INSERT INTO charge_receipts (billing_account_id, virtual_key_id, run_id, attempt, charged_credits, provenance, charge_reason, source_system, source_reference, receipt_kind, created_at)
     VALUES ($1, $2, 'r1', 1, 1000, 'hostile', 'llm_usage', 'litellm', 'ref-1', 'charge', $3)`,
    [account, keyId, new Date(hostileNow.getTime() - 3_600_000)],
  );
  const { rows: grants } = await db.query("INSERT INTO execution_grants (user_id, billing_account_id, scopes) VALUES ($1, $2, '{graph:run}') RETURNING id", [principal, account]);
  const grantId = (grants[0] as { id: string }).id;

  const schedules: Array<[id: string, temporalId: string, cron: string, timezone: string]> = [
    // U+FFFF and U+FFFE: noncharacters, which XML forbids (the feeds' entries carry the charter's id)
    ['30000000-0000-4000-8000-000000000001', 'governance:Leak\uffff postgres://app:NamePassw0rd@db\ufffe', '0 * * * *', 'UTC'],
    ['30000000-0000-4000-8000-000000000002', longName, '*/15 * * * *', 'UTC'],
    ['30000000-0000-4000-8000-000000000003', 'governance:\u2066odd\u2069 schedule', '*/5 * * * * <script>', 'Europe/Berlin\u200b'],
  ];
  for (const [id, temporalId, cron, timezone] of schedules) {
    await db.query(
      `INSERT INTO schedules (id, owner_user_id, execution_grant_id, graph_id, input, cron, timezone, enabled, temporal_schedule_id, updated_at)
       VALUES ($1, $2, $3, 'governance', '{}', $4, $5, true, $6, $7)`,
      [id, principal, grantId, cron, timezone, temporalId, new Date(hostileNow.getTime() - 3 * 86_400_000)],
    );
  }

  // The leaking charter failed on each of the last hours, one message (and one secret-laden code) each.
  const leak = schedules[0]![0];
  for (const [index, message] of errorMessages.entries()) {
    const scheduledFor = new Date(Math.floor(hostileNow.getTime() / 3_600_000) * 3_600_000 - index * 3_600_000);
    const runId = index === 0 ? `\u202eZx8Kq2Lw9Pv4Tn7Rb3Mc6Yd1Hf5Gj0Se${'r'.repeat(100_000)}` : `leak-run-${index}`;
    const columns = ['schedule_id', 'run_id', 'scheduled_for', 'started_at', 'completed_at', 'status', 'error_message'];
    const values: unknown[] = [leak, runId, scheduledFor, scheduledFor, new Date(scheduledFor.getTime() + 5_000), 'error', message];
    if (ledger === 'graph_runs') {
      columns.push('id', 'error_code', 'requested_by', 'state_key');
      values.push(crypto.randomUUID(), index === 1 ? 'code\u202e api_key=CodeSecret0123' : null, principal, `leak-${index}`);
    } else {
      columns.push('id');
      values.push(crypto.randomUUID());
    }
    await db.query(`INSERT INTO ${ledger} (${columns.join(', ')}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`, values);
  }

  const threads: Array<[stateKey: string, title: unknown]> = [
    ['thread-sk', 'Rotate sk-proj-T1tleSecretKey0123456789 today'],
    ['thread-url', 'Deploy with postgres://u:TitlePass@h/d \u202eeulav'],
    [longStateKey, `${'\u200f<b>bold</b> '.repeat(2_000)}`],
    ['thread-markup', '<img src=x onerror=alert(1)><script>document.cookie</script>'],
  ];
  for (const [index, [stateKey, title]] of threads.entries()) {
    const updatedAt = new Date(hostileNow.getTime() - (index + 1) * 60_000);
    await db.query(
      `INSERT INTO ai_threads (owner_user_id, state_key, metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)`,
      [principal, stateKey, JSON.stringify({ title }), new Date(updatedAt.getTime() - 60_000), updatedAt],
    );
  }
}

/**
 * More charters than the snapshot lists, each failing now with the longest texts the contract lets
 * through, in three-byte characters: a snapshot over limits.snapshotBytes, which must never be written.
 */
export async function seedOversizedCharters(db: Queryable, ledger: Ledger): Promise<void> {
  const { rows } = await db.query('SELECT id FROM execution_grants WHERE user_id = $1 LIMIT 1', [principal]);
  const grantId = (rows[0] as { id: string }).id;
  // distinct CJK text: 3 bytes per character in UTF-8, the most a character of the BMP takes
  const cjk = (length: number, seed: number) => Array.from({ length }, (_, k) => String.fromCharCode(0x4e00 + ((seed * 131 + k * 7) % 20_000))).join('');
  const slot = new Date(Math.floor(hostileNow.getTime() / 3_600_000) * 3_600_000);
  for (let i = 0; i < 120; i += 1) {
    const { rows: inserted } = await db.query(
      `INSERT INTO schedules (owner_user_id, execution_grant_id, graph_id, input, cron, timezone, enabled, temporal_schedule_id, updated_at)
       VALUES ($1, $2, 'governance', '{}', '0 * * * *', 'UTC', true, $3, $4) RETURNING id`,
      [principal, grantId, `governance:${cjk(120, i)}`, new Date(hostileNow.getTime() - 7 * 86_400_000)],
    );
    const scheduleId = (inserted[0] as { id: string }).id;
    const columns = ['id', 'schedule_id', 'run_id', 'scheduled_for', 'started_at', 'completed_at', 'status', 'error_message'];
    const values: unknown[] = [crypto.randomUUID(), scheduleId, cjk(120, i + 3_000), slot, slot, new Date(slot.getTime() + 5_000), 'error', cjk(400, i + 5_000)];
    if (ledger === 'graph_runs') {
      columns.push('error_code', 'requested_by');
      values.push(cjk(70, i + 4_000), principal);
    }
    await db.query(`INSERT INTO ${ledger} (${columns.join(', ')}) VALUES (${values.map((_, n) => `$${n + 1}`).join(', ')})`, values);
  }
}
