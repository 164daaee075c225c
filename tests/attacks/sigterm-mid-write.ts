// Attack: SIGTERM while a publish is mid-write on a slow bucket (every PUT held 4 s), with a drain
// shorter than the write (SHUTDOWN_TIMEOUT_MS=1000), then a second worker on the same bucket. What
// lands after the leader lock is given back, how long the exit takes, its code, what the logs say.
// Run: node tests/attacks/sigterm-mid-write.ts [putDelayMs] [shutdownTimeoutMs]
import pg from 'pg';
import { findFreePort } from '../../scripts/embedded-postgres.ts';
import { startConditionalProxy } from '../support/s3-conditional-proxy.ts';
import { startS3Server } from '../support/s3-server.ts';
import { startWorker, stopWorker } from '../support/worker-process.ts';
import { createAttackDatabase, s3Destination, say } from './support.ts';

const putDelayMs = Number(process.argv[2] ?? 4_000);
const shutdownMs = process.argv[3] ?? '1000';
const database = await createAttackDatabase();
const s3 = await startS3Server({ buckets: ['status'] });
let slow = false;
const landed: Array<{ key: string; at: number }> = [];
const proxy = await startConditionalProxy({
  target: s3.endpoint,
  honour: true,
  fault: (method, key) => {
    if (method !== 'PUT' || !slow) return null;
    setTimeout(() => landed.push({ key, at: Date.now() }), putDelayMs);
    return { delayMs: putDelayMs };
  },
});
const env = async () => ({
  DATABASE_URL: database.readerUrl,
  ...s3Destination(proxy.endpoint, 'term/'),
  HEALTH_PORT: String(await findFreePort()),
  SNAPSHOT_CRON: '*/2 * * * * *',
  SHUTDOWN_TIMEOUT_MS: shutdownMs,
});
const admin = new pg.Client({ connectionString: database.adminUrl });
await admin.connect();
const lockHeld = async () => (await admin.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted")).rows[0].n as number;
const worker = startWorker([], await env());
try {
  await worker.waitFor('snapshot_published', { timeoutMs: 90_000 });
  await worker.waitFor('snapshot_published', { count: 2, timeoutMs: 30_000 }); // the archive is done too
  slow = true;
  const mark = worker.logs.length;
  await worker.waitFor('snapshot_skipped', { after: mark, timeoutMs: 30_000 }); // a publish is under way and slow
  const termAt = Date.now();
  worker.child.kill('SIGTERM');
  let lockFreedAt: number | null = null;
  const watchLock = (async () => {
    while (worker.child.exitCode === null) {
      if (lockFreedAt === null && (await lockHeld()) === 0) lockFreedAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  setTimeout(() => worker.child.kill('SIGTERM'), 300); // a second signal, as an impatient orchestrator sends
  const code = await worker.exited;
  await watchLock;
  const exitAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, putDelayMs + 1_000));
  say('exit code', code);
  say('exit after SIGTERM (ms)', exitAt - termAt);
  say('lock freed after SIGTERM (ms)', lockFreedAt && lockFreedAt - termAt);
  say('PUTs landing at the bucket after the lock was freed', landed.filter((p) => lockFreedAt !== null && p.at > lockFreedAt).map((p) => `${p.key} +${p.at - termAt} ms`));
  say('PUTs landing after the process exited', landed.filter((p) => p.at > exitAt).map((p) => p.key));
  say('log after SIGTERM', worker.logs.slice(mark).filter((l) => l.event !== 'snapshot_skipped').map((l) => `${l.event}: ${JSON.stringify(l.error ?? l.signal ?? l.reason ?? l.timeoutMs ?? '').slice(0, 160)}`));
  say('stderr not JSON', worker.stderr().split('\n').filter((l) => l && !l.startsWith('{')).slice(0, 5));
} finally {
  await stopWorker(worker);
  await admin.end();
  await proxy.close();
  await s3.close();
  await database.drop();
}
