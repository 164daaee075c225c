// Attack: two workers on one bucket; the leader's lock session is killed (pg_terminate_backend) again
// and again, mid-run: every PUT is delayed (a slow bucket) so the kill lands inside a publish. A
// monitor reads the bucket directly every 150 ms and records each file's generatedAt. Checks: the
// snapshot never goes back in time, nor does the history; neither process crashes; how many ticks
// published twice (two replicas); the archive is one chain (verify); and what the logs say.
// Run: node tests/attacks/leader-kill.ts [seconds] [putDelayMs] [killEveryMs]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { findFreePort } from '../../scripts/embedded-postgres.ts';
import { startConditionalProxy } from '../support/s3-conditional-proxy.ts';
import { startS3Server } from '../support/s3-server.ts';
import { startWorker, stopWorker, type WorkerProcess } from '../support/worker-process.ts';
import { createAttackDatabase, s3Destination, say } from './support.ts';

const seconds = Number(process.argv[2] ?? 60);
const putDelayMs = Number(process.argv[3] ?? 1_500);
const killEveryMs = Number(process.argv[4] ?? 3_500);
const database = await createAttackDatabase();
const s3 = await startS3Server({ buckets: ['status'] });
const proxy = await startConditionalProxy({ target: s3.endpoint, honour: true, fault: (method) => (method === 'PUT' ? { delayMs: putDelayMs } : null) });
const env = async () => ({
  DATABASE_URL: database.readerUrl,
  ...s3Destination(proxy.endpoint, 'kill/'),
  HEALTH_PORT: String(await findFreePort()),
  SNAPSHOT_CRON: '*/2 * * * * *',
  STATUS_PAGE_URL: 'https://status.example.org/',
});
const workers: WorkerProcess[] = [startWorker([], await env()), startWorker([], await env())];
const admin = new pg.Client({ connectionString: database.adminUrl });
await admin.connect();
const seen: Record<string, string[]> = { 'governance-status.json': [], 'governance-history.json': [] };
const backwards: string[] = [];
let monitoring = true;
const monitor = (async () => {
  while (monitoring) {
    for (const name of Object.keys(seen)) {
      const body = await s3.read('status', `kill/${name}`).then((o) => o.body, () => null);
      const at = body && (JSON.parse(body) as { generatedAt?: string }).generatedAt;
      const list = seen[name]!;
      if (at && list.at(-1) !== at) {
        if (list.length && at < list.at(-1)!) backwards.push(`${name}: ${list.at(-1)} -> ${at}`);
        list.push(at);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
})();
const kills: Array<{ at: string; pid: number }> = [];
try {
  await Promise.race(workers.map((w) => w.waitFor('snapshot_published', { timeoutMs: 60_000 })));
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, killEveryMs * (0.7 + Math.random() * 0.6)));
    const { rows } = await admin.query<{ pid: number }>("SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted");
    for (const { pid } of rows) {
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      kills.push({ at: new Date().toISOString(), pid });
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 8_000));
  monitoring = false;
  await monitor;
  say('kills', kills.length);
  say('snapshots seen', seen['governance-status.json']!.length);
  say('went back in time', backwards);
  for (const [index, worker] of workers.entries()) {
    const events: Record<string, number> = {};
    for (const line of worker.logs) events[line.event] = (events[line.event] ?? 0) + 1;
    say(`worker ${index} alive`, worker.child.exitCode === null);
    say(`worker ${index} events`, events);
    say(`worker ${index} warnings`, [...new Set(worker.logs.filter((l) => l.level !== 'info').map((l) => `${l.event}: ${JSON.stringify(l.error ?? l.reason ?? l.problem ?? '').slice(0, 160)}`))].slice(0, 12));
  }
  const ticks = workers.flatMap((w) => w.logs.filter((l) => l.event === 'snapshot_published').map((l) => String(l.tick)));
  say('ticks published by both', ticks.filter((tick, i) => ticks.indexOf(tick) !== i));
  const verify = await promisify(execFile)(process.execPath, ['verify/main.ts', `${s3.endpoint}/status/kill/governance-status.json`], { cwd: new URL('../..', import.meta.url).pathname }).then((o) => `0: ${o.stdout}`, (e: { code: number; stdout: string; stderr: string }) => `${e.code}: ${e.stdout}${e.stderr}`);
  say('verify', verify.split('\n').slice(0, 3).join(' | '));
  const conflicting = proxy.requests.filter((r) => r.method === 'PUT' && /governance-archive\/\d/.test(r.key) && r.status === 200);
  say('archive day PUTs that succeeded (each day once?)', { puts: conflicting.length, days: new Set(conflicting.map((r) => r.key)).size });
} finally {
  monitoring = false;
  await Promise.all(workers.map((w) => stopWorker(w)));
  await admin.end();
  await proxy.close();
  await s3.close();
  await database.drop();
}
