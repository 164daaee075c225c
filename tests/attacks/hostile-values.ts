// Attack: hostile values the hostile-rows test does not seed: infinite and far-future timestamps,
// NULLs and unknown values where the application never writes them, duplicate run ids, absurd
// receipts. Each variant gets a fresh demo database (90 days at the real now), then one mutation,
// then the real worker: --once --stdout (exit code, log events) and --once into a folder.
// Run: node tests/attacks/hostile-values.ts [variant ...]
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startWorker } from '../support/worker-process.ts';
import { createAttackDatabase, say } from './support.ts';

const community = '10000000-0000-4000-8000-000000000001';
const engineering = '10000000-0000-4000-8000-000000000002';
const account = '00000000-0000-4000-b000-000000000000';
const latestRun = (schedule: string, status = 'success') =>
  `(SELECT id FROM graph_runs WHERE schedule_id = '${schedule}' AND status = '${status}' ORDER BY scheduled_for DESC LIMIT 1)`;
const receipt = (credits: string, usd = 'NULL', minutesAgo = 30) =>
  `INSERT INTO charge_receipts (billing_account_id, virtual_key_id, run_id, attempt, charged_credits, response_cost_usd, provenance, charge_reason, source_system, source_reference, receipt_kind, created_at)
   SELECT '${account}', id, 'attack-run', 1, ${credits}, ${usd}, 'attack', 'llm_usage', 'attack', gen_random_uuid()::text, 'llm', now() - interval '${minutesAgo} minutes'
     FROM virtual_keys WHERE billing_account_id = '${account}' LIMIT 1`;

const variants: Record<string, string[]> = {
  run_started_infinity: [`UPDATE graph_runs SET started_at = 'infinity', completed_at = 'infinity' WHERE id = ${latestRun(community)}`],
  run_completed_minus_infinity: [`UPDATE graph_runs SET completed_at = '-infinity' WHERE id = ${latestRun(community)}`],
  run_started_year_10000: [`UPDATE graph_runs SET started_at = '10000-01-01T00:00:00Z', completed_at = '10000-01-01T00:05:00Z' WHERE id = ${latestRun(community)}`],
  run_scheduled_minus_infinity: [`INSERT INTO graph_runs (schedule_id, run_id, scheduled_for, started_at, completed_at, status, requested_by) VALUES ('${community}', 'ancient', '-infinity', '-infinity', '-infinity', 'success', '00000000-0000-4000-a000-000000000001')`],
  run_scheduled_infinity: [`INSERT INTO graph_runs (schedule_id, run_id, scheduled_for, started_at, completed_at, status, requested_by) VALUES ('${community}', 'future', 'infinity', NULL, NULL, 'pending', '00000000-0000-4000-a000-000000000001')`],
  run_scheduled_year_10000: [`INSERT INTO graph_runs (schedule_id, run_id, scheduled_for, started_at, completed_at, status, requested_by) VALUES ('${community}', 'future', '10000-01-01T00:00:00Z', NULL, NULL, 'pending', '00000000-0000-4000-a000-000000000001')`],
  schedule_updated_infinity: [`UPDATE schedules SET updated_at = 'infinity' WHERE id = '${community}'`],
  schedule_updated_minus_infinity: [`UPDATE schedules SET updated_at = '-infinity' WHERE id = '${community}'`],
  schedule_updated_year_10000_with_future_run: [
    `UPDATE schedules SET updated_at = '10000-01-02T00:00:00Z' WHERE id = '${community}'`,
    `INSERT INTO graph_runs (schedule_id, run_id, scheduled_for, status, requested_by) VALUES ('${community}', 'future', '10000-01-01T00:00:00Z', 'success', '00000000-0000-4000-a000-000000000001')`,
  ],
  schedule_last_run_infinity: [`UPDATE schedules SET last_run_at = 'infinity' WHERE id = '${community}'`, `UPDATE schedules SET last_run_at = '-infinity' WHERE id = '${engineering}'`],
  thread_times_infinite: [
    `UPDATE ai_threads SET created_at = 'infinity' WHERE id = (SELECT id FROM ai_threads WHERE owner_user_id = '00000000-0000-4000-a000-000000000001' AND deleted_at IS NULL ORDER BY updated_at DESC LIMIT 1)`,
    `INSERT INTO ai_threads (owner_user_id, state_key, metadata, created_at, updated_at) VALUES ('00000000-0000-4000-a000-000000000001', 'minus-infinity', '{"title": "old"}', '-infinity', '-infinity')`,
  ],
  thread_only_minus_infinity: [
    `DELETE FROM ai_threads WHERE owner_user_id = '00000000-0000-4000-a000-000000000001'`,
    `INSERT INTO ai_threads (owner_user_id, state_key, metadata, created_at, updated_at) VALUES ('00000000-0000-4000-a000-000000000001', 'minus-infinity', '{"title": "old"}', '-infinity', '-infinity')`,
  ],
  status_unknown: [`UPDATE graph_runs SET status = 'exploded' WHERE id = ${latestRun(community)}`, `UPDATE graph_runs SET status = 'SUCCESS' WHERE id = ${latestRun(engineering)}`],
  status_running_with_completed: [`UPDATE graph_runs SET status = 'running', started_at = NULL WHERE id = ${latestRun(community)}`],
  duplicate_run_ids: [
    // every system run of the last day shares one run_id, across charters; receipts name it
    `UPDATE graph_runs SET run_id = 'same-run' WHERE requested_by = '00000000-0000-4000-a000-000000000001' AND scheduled_for > now() - interval '1 day'`,
    `UPDATE charge_receipts SET run_id = 'same-run' WHERE billing_account_id = '${account}' AND created_at > now() - interval '1 day'`,
  ],
  receipts_absurd: [receipt('9223372036854775807'), receipt('9223372036854775807'), receipt('-9223372036854775808'), receipt('1', "'NaN'"), receipt('1', "'Infinity'"), receipt('1', '1e300')],
  receipts_negative_spend: [receipt('-9223372036854775807', 'NULL', 10), receipt('-9223372036854775807', 'NULL', 20)],
  receipt_tokens_max: [
    `INSERT INTO llm_charge_details (charge_receipt_id, model, graph_id, tokens_in, tokens_out) SELECT id, 'm', 'g', 2147483647, -2147483648 FROM charge_receipts WHERE billing_account_id = '${account}' AND created_at > now() - interval '1 hour' AND id NOT IN (SELECT charge_receipt_id FROM llm_charge_details)`,
    `UPDATE llm_charge_details SET tokens_in = 2147483647, tokens_out = 2147483647 WHERE charge_receipt_id IN (SELECT id FROM charge_receipts WHERE billing_account_id = '${account}' AND created_at > now() - interval '1 day')`,
  ],
  balance_extremes: [`UPDATE billing_accounts SET balance_credits = -9223372036854775808 WHERE id = '${account}'`],
  balance_max: [`UPDATE billing_accounts SET balance_credits = 9223372036854775807 WHERE id = '${account}'`],
  cron_hostile: [
    `UPDATE schedules SET cron = '0 0 30 2 *' WHERE id = '${community}'`, // never fires (Feb 30)
    `UPDATE schedules SET cron = '* * * * * *', timezone = 'Etc/GMT+14' WHERE id = '${engineering}'`, // every second, odd zone
  ],
  cron_far: [`UPDATE schedules SET cron = '0 0 29 2 1' WHERE id = '${community}'`], // Feb 29 that is a Monday: years apart
  timezone_hostile: [`UPDATE schedules SET timezone = 'America/Nowhere' WHERE id = '${community}'`, `UPDATE schedules SET timezone = '' WHERE id = '${engineering}'`],
  first_run_minus_infinity: [`INSERT INTO graph_runs (schedule_id, run_id, scheduled_for, started_at, completed_at, status, requested_by) VALUES ('10000000-0000-4000-8000-000000000003', 'ancient', '-infinity', NULL, NULL, 'success', '00000000-0000-4000-a000-000000000001')`],
  first_run_ancient: [`INSERT INTO graph_runs (schedule_id, run_id, scheduled_for, started_at, completed_at, status, requested_by) VALUES ('10000000-0000-4000-8000-000000000003', 'ancient', '4713-01-01 00:00:00+00 BC', '4713-01-01 00:00:00+00 BC', '4713-01-01 00:01:00+00 BC', 'success', '00000000-0000-4000-a000-000000000001')`],
  // ten failed runs of the window, each with a 19 MB first line (incompressible), and a 2,000-character run id (the most its index takes)
  huge_messages: [
    `UPDATE graph_runs SET error_message = 'token=' || (SELECT string_agg(md5(i::text || random()::text), ' ') FROM generate_series(1, 580000) i) WHERE id IN (SELECT id FROM graph_runs WHERE status = 'error' AND requested_by = '00000000-0000-4000-a000-000000000001' ORDER BY scheduled_for DESC LIMIT 10)`,
    `UPDATE graph_runs SET run_id = repeat('r', 2000) WHERE id = ${latestRun(community)}`,
  ],
  metadata_weird: [`UPDATE ai_threads SET metadata = '"just a string"' WHERE owner_user_id = '00000000-0000-4000-a000-000000000001'`, `UPDATE ai_threads SET metadata = 'null' WHERE id = (SELECT id FROM ai_threads WHERE owner_user_id = '00000000-0000-4000-a000-000000000001' LIMIT 1)`],
};

async function attack(name: string) {
  const database = await createAttackDatabase();
  const folder = await mkdtemp(join(tmpdir(), `attack-${name}-`));
  try {
    for (const sql of variants[name]!) {
      const result = await database.admin.query(sql);
      if (result.rowCount === 0) say(`${name}: WARNING statement touched no row`, sql.slice(0, 80));
    }
    const printed = startWorker(['--once', '--stdout'], { DATABASE_URL: database.readerUrl });
    const printedCode = await printed.exited;
    const events = printed.logs.filter((line) => line.level !== 'info' || /fail|invalid|error/.test(line.event));
    let summary: unknown = null;
    if (printedCode === 0) {
      const snapshot = JSON.parse(printed.stdout());
      summary = { status: snapshot.status, reasons: snapshot.reasons.map((r: { code: string; text: string }) => `${r.code}: ${r.text}`).slice(0, 6), credits: snapshot.credits, charters: snapshot.charters.map((c: { name: string; state: string; lastRun: unknown; nextRunAt: unknown; scheduleError: unknown; runs24h: unknown; lastSuccessAt: unknown }) => [c.name, c.state, c.nextRunAt, c.scheduleError, c.lastRun, c.lastSuccessAt, c.runs24h]), recentRuns: snapshot.recentRuns.slice(0, 2), usageTotal: snapshot.usage?.total };
    }
    say(`${name} --once --stdout exit`, printedCode);
    for (const line of events) say(`${name} log`, line);
    if (summary) say(`${name} snapshot`, summary);
    const published = startWorker(['--once'], { DATABASE_URL: database.readerUrl, SNAPSHOT_DESTINATION: pathToFileURL(join(folder, 'governance-status.json')).href, STATUS_PAGE_URL: 'https://status.example.org/' });
    const publishedCode = await published.exited;
    say(`${name} --once (file) exit`, publishedCode);
    for (const line of published.logs.filter((line) => line.level !== 'info')) say(`${name} file log`, line);
    const history = JSON.parse(await readFile(join(folder, 'governance-history.json'), 'utf8').catch(() => 'null'));
    if (history) {
      const sust = history.days.map((day: { charters: Record<string, { missed: number; expected: number }> }) => day.charters['governance:sustainability']);
      say(`${name} history: sustainability days with data`, sust.filter(Boolean).length);
      say(`${name} history: sustainability missed`, sust.reduce((sum: number, c: { missed: number } | undefined) => sum + (c?.missed ?? 0), 0));
      say(`${name} history: incidents`, history.incidents?.length);
    }
    const status = JSON.parse(await readFile(join(folder, 'governance-status.json'), 'utf8').catch(() => 'null'));
    if (status?.usage?.available) say(`${name} usage charters`, { total: status.usage.total.credits, charters: status.usage.charters.map((c: { charterId: string; credits: string; runs: number }) => [c.charterId, c.credits, c.runs]), unattributed: status.usage.unattributed?.credits });
    say(`${name} files`, (await readdir(folder, { recursive: true })).filter((f) => !f.startsWith('governance-archive/2')).sort());
  } finally {
    await database.drop();
    await rm(folder, { recursive: true, force: true });
  }
}

for (const name of process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(variants)) await attack(name);
