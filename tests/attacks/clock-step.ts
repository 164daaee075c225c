// Attack: the worker's wall clock is stepped while it runs (NTP correcting it, a VM resumed), with
// libfaketime reading its offset from a file on every call. Scenario A: 4 minutes ahead (within the
// skew limit, so it publishes), then stepped back to the right time. Scenario B: 10 minutes ahead
// (past the limit: it stands aside), then stepped back to the right time. How long, and how many
// ticks, until it publishes again? Run: node tests/attacks/clock-step.ts [A|B]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../scripts/embedded-postgres.ts';
import { findFaketime } from '../support/faketime.ts';
import { startWorker, stopWorker } from '../support/worker-process.ts';
import { createAttackDatabase, say } from './support.ts';

const faketime = findFaketime();
if ('missing' in faketime) throw new Error(faketime.missing);
const scenario = process.argv[2] ?? 'A';
const before = scenario === 'A' ? '+4m' : '+10m';
const database = await createAttackDatabase();
const folder = await mkdtemp(join(tmpdir(), 'attack-step-'));
const offsetFile = join(folder, 'offset');
await writeFile(offsetFile, before);
const healthPort = await findFreePort();
const { LD_PRELOAD } = faketime.env('+0');
const worker = startWorker([], {
  DATABASE_URL: database.readerUrl,
  SNAPSHOT_DESTINATION: `file://${folder}/site/governance-status.json`,
  SNAPSHOT_CRON: '*/5 * * * * *',
  HEALTH_PORT: String(healthPort),
  LD_PRELOAD,
  FAKETIME_TIMESTAMP_FILE: offsetFile,
  FAKETIME_NO_CACHE: '1',
  FAKETIME_DONT_FAKE_MONOTONIC: '1',
});
try {
  if (scenario === 'A') await worker.waitFor('snapshot_published', { count: 2, timeoutMs: 90_000 });
  else await worker.waitFor('leader_stood_aside', { timeoutMs: 90_000 });
  say(`worker clock ${before}: events so far`, [...new Set(worker.logs.map((l) => l.event))]);
  const mark = worker.logs.length;
  await writeFile(offsetFile, '+0');
  const steppedAt = Date.now();
  const first = await worker.waitFor('snapshot_published', { after: mark, timeoutMs: 900_000 });
  say('stepped back to the right time; first publish after (s)', Math.round((Date.now() - steppedAt) / 1000));
  const between = worker.logs.slice(mark, worker.logs.indexOf(first));
  const counts: Record<string, number> = {};
  for (const line of between) counts[line.event] = (counts[line.event] ?? 0) + 1;
  say('events in between', counts);
  say('healthz now', await fetch(`http://127.0.0.1:${healthPort}/healthz`).then((r) => r.json()));
} finally {
  await stopWorker(worker);
  await rm(folder, { recursive: true, force: true });
  await database.drop();
}
