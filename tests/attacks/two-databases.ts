// Attack: two workers on one destination, each reading a different database (staging's worker given
// production's SNAPSHOT_DESTINATION by a copy-paste): the leader lock lives in each database, so both
// lead. What does the public folder show over time, and whose days does the archive hold?
// Run: node tests/attacks/two-databases.ts [seconds]
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../scripts/embedded-postgres.ts';
import { startWorker, stopWorker } from '../support/worker-process.ts';
import { createAttackDatabase, say } from './support.ts';

const seconds = Number(process.argv[2] ?? 40);
const production = await createAttackDatabase();
const staging = await createAttackDatabase();
// staging differs: no credits left
await staging.admin.query("UPDATE billing_accounts SET balance_credits = 0 WHERE id = '00000000-0000-4000-b000-000000000000'");
const folder = await mkdtemp(join(tmpdir(), 'attack-two-db-'));
const env = async (databaseUrl: string) => ({ DATABASE_URL: databaseUrl, SNAPSHOT_DESTINATION: `file://${folder}/governance-status.json`, SNAPSHOT_CRON: '*/2 * * * * *', HEALTH_PORT: String(await findFreePort()) });
const workers = [startWorker([], await env(production.readerUrl)), startWorker([], await env(staging.readerUrl))];
try {
  await Promise.all(workers.map((w) => w.waitFor('snapshot_published', { timeoutMs: 90_000 })));
  const statuses: string[] = [];
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const snapshot = JSON.parse(await readFile(join(folder, 'governance-status.json'), 'utf8'));
    const label = `${snapshot.status}/${snapshot.credits.balance === '0' ? 'staging' : 'production'}`;
    if (statuses.at(-1) !== label) statuses.push(label);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  say('the public snapshot, as it changed', statuses);
  for (const [index, worker] of workers.entries()) {
    const events: Record<string, number> = {};
    for (const line of worker.logs) events[line.event] = (events[line.event] ?? 0) + 1;
    say(`worker ${index === 0 ? 'production' : 'staging'} events`, events);
    say(`worker ${index === 0 ? 'production' : 'staging'} warnings`, [...new Set(worker.logs.filter((l) => l.level !== 'info').map((l) => `${l.event}: ${JSON.stringify(l.reason ?? l.problem ?? l.error ?? '').slice(0, 200)}`))].slice(0, 8));
  }
} finally {
  await Promise.all(workers.map((w) => stopWorker(w)));
  await rm(folder, { recursive: true, force: true });
  await production.drop();
  await staging.drop();
}
