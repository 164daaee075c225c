// Attack: the destination holds a snapshot from the future (a database clock that jumped ahead for one
// tick, a test file uploaded by hand, a restore from another system): generatedAt a day ahead, its
// staleAfter with it. Does the worker ever publish over it, and what do /healthz and the file say?
// Run: node tests/attacks/future-snapshot.ts [hoursAhead]
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../scripts/embedded-postgres.ts';
import { startWorker, stopWorker } from '../support/worker-process.ts';
import { createAttackDatabase, say } from './support.ts';

const hours = Number(process.argv[2] ?? 24);
const database = await createAttackDatabase();
const folder = await mkdtemp(join(tmpdir(), 'attack-future-'));
const target = join(folder, 'governance-status.json');
// a real snapshot of this database, its times moved ahead
const once = startWorker(['--once', '--stdout'], { DATABASE_URL: database.readerUrl });
await once.exited;
const real = JSON.parse(once.stdout());
const ahead = (iso: string) => new Date(Date.parse(iso) + hours * 3_600_000).toISOString();
await writeFile(target, JSON.stringify({ ...real, status: 'healthy', reasons: [], generatedAt: ahead(real.generatedAt), staleAfter: ahead(real.staleAfter), dataAsOf: ahead(real.dataAsOf) }));
const healthPort = await findFreePort();
const worker = startWorker([], { DATABASE_URL: database.readerUrl, SNAPSHOT_DESTINATION: `file://${target}`, SNAPSHOT_CRON: '*/2 * * * * *', HEALTH_PORT: String(healthPort) });
try {
  await new Promise((resolve) => setTimeout(resolve, 25_000));
  const events: Record<string, number> = {};
  for (const line of worker.logs) events[line.event] = (events[line.event] ?? 0) + 1;
  say('events', events);
  say('refusal', worker.logs.find((l) => l.event === 'snapshot_refused')?.reason);
  const onDisk = JSON.parse(await readFile(target, 'utf8'));
  say('the file now', { status: onDisk.status, generatedAt: onDisk.generatedAt, staleAfter: onDisk.staleAfter });
  say('healthz', await fetch(`http://127.0.0.1:${healthPort}/healthz`).then(async (r) => [r.status, await r.json()]));
} finally {
  await stopWorker(worker);
  await rm(folder, { recursive: true, force: true });
  await database.drop();
}
