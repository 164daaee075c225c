// Attack: a writer was killed while it held the file store's snapshot lock (SIGKILL mid-write leaves
// .governance-status.json.lock behind), and the worker that starts next has a clock a few minutes off
// the file system's (within CLOCK_SKEW_LIMIT_SECONDS; libfaketime moves the worker's clock, not the
// kernel's file times, as on a shared volume whose server keeps another time). How long until it
// publishes, and how many ticks pass first? Run: node tests/attacks/stale-lock-skew.ts [offset ...]
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../scripts/embedded-postgres.ts';
import { findFaketime } from '../support/faketime.ts';
import { startWorker, stopWorker } from '../support/worker-process.ts';
import { createAttackDatabase, say } from './support.ts';

const faketime = findFaketime();
if ('missing' in faketime) throw new Error(faketime.missing);
const database = await createAttackDatabase();
try {
  for (const offset of process.argv.slice(2).length ? process.argv.slice(2) : ['none', '-4m', '+4m']) {
    const folder = await mkdtemp(join(tmpdir(), 'attack-lock-'));
    await writeFile(join(folder, 'governance-status.json'), '{"generatedAt":"2000-01-01T00:00:00.000Z"}');
    await writeFile(join(folder, '.governance-status.json.lock'), randomUUID()); // the killed writer's
    const started = Date.now();
    const worker = startWorker([], {
      DATABASE_URL: database.readerUrl,
      SNAPSHOT_DESTINATION: `file://${folder}/governance-status.json`,
      SNAPSHOT_CRON: '*/5 * * * * *',
      HEALTH_PORT: String(await findFreePort()),
      ...(offset === 'none' ? {} : faketime.env(offset)),
    });
    try {
      const first = await worker.waitFor('snapshot_published', { timeoutMs: 400_000 });
      say(`${offset}: first publish after (s)`, Math.round((Date.now() - started) / 1000));
      const before = worker.logs.slice(0, worker.logs.indexOf(first));
      say(`${offset}: ticks skipped or failed before it`, before.filter((l) => l.event === 'snapshot_skipped' || l.event === 'snapshot_failed').length);
      say(`${offset}: errors`, [...new Set(before.filter((l) => l.level === 'error').map((l) => `${l.event}: ${JSON.stringify(l.error ?? l.reason ?? '').slice(0, 200)}`))]);
      say(`${offset}: left in folder`, (await readdir(folder)).filter((n) => n.startsWith('.')));
    } finally {
      await stopWorker(worker);
      await rm(folder, { recursive: true, force: true });
    }
  }
} finally {
  await database.drop();
}
