// Attack: a bucket that fails on exactly one file of a publish, then recovers. The real worker on the
// demo's 90 days (89 closed days to archive), signing, through a proxy in front of s3rver that honours
// conditional writes and answers 503 to every request matching the fault. Phases: fault on, ticks
// pass; fault off, ticks pass. Checks: no day object is written twice (a final file is never
// rewritten), the days after the failed one wait for it (no gap), the index never names a day that
// is not stored, and once the fault is lifted the record verifies whole (the verify command).
// Run: node tests/attacks/archive-day-fault.ts <day|signature|index|recent|readback|history> [prefix]
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findFreePort } from '../../scripts/embedded-postgres.ts';
import { startConditionalProxy } from '../support/s3-conditional-proxy.ts';
import { startS3Server } from '../support/s3-server.ts';
import { startWorker, stopWorker } from '../support/worker-process.ts';
import { createAttackDatabase, s3Destination, say } from './support.ts';

const mode = process.argv[2] ?? 'day';
const prefix = `${mode}/`;
const dayAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const target = dayAgo(45); // a day in the middle of the 89 to archive
const faults: Record<string, (method: string, key: string) => boolean> = {
  day: (method, key) => method === 'PUT' && key.endsWith(`governance-archive/${target}.json`),
  signature: (method, key) => method === 'PUT' && key.endsWith(`governance-archive/${target}.json.jws`),
  index: (method, key) => method === 'PUT' && key.endsWith('/governance-archive.json'),
  recent: (method, key) => method === 'PUT' && key.endsWith('governance-archive/recent.json'),
  readback: (method, key) => method === 'GET' && key.endsWith(`governance-archive/${target}.json`),
  history: (method, key) => method === 'PUT' && key.endsWith('/governance-history.json'),
};
let faulty = true;

const database = await createAttackDatabase();
const s3 = await startS3Server({ buckets: ['status'] });
const proxy = await startConditionalProxy({ target: s3.endpoint, honour: true, fault: (method, key) => (faulty && faults[mode]!(method, key) ? { status: 503 } : null) });
const folder = await mkdtemp(join(tmpdir(), 'attack-archive-'));
const keyFile = join(folder, 'key.pem');
await writeFile(keyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
const worker = startWorker([], {
  DATABASE_URL: database.readerUrl,
  ...s3Destination(proxy.endpoint, prefix),
  HEALTH_PORT: String(await findFreePort()),
  SNAPSHOT_CRON: '*/3 * * * * *',
  SIGNING_KEY_FILE: keyFile,
  STATUS_PAGE_URL: 'https://status.example.org/',
});
const stored = (name: string) => s3.read('status', `${prefix}${name}`).then((object) => object.body, () => null);
const dayPuts = () => proxy.requests.filter((r) => r.method === 'PUT' && /governance-archive\/\d{4}-\d\d-\d\d\.json(\.jws)?$/.test(r.key) && r.status === 200).map((r) => r.key);
try {
  say('mode', { mode, target });
  const published = async (count: number) => {
    const after = worker.logs.filter((l) => l.event === 'snapshot_published').length;
    await worker.waitFor('snapshot_published', { count: after + count, timeoutMs: 90_000 });
  };
  await published(3);
  const index = JSON.parse((await stored('governance-archive.json')) ?? 'null');
  const snapshot = JSON.parse((await stored('governance-status.json')) ?? 'null');
  say('fault on: archive events', worker.logs.filter((l) => /archive/.test(l.event) && l.event !== 'archive_day_archived').map((l) => ({ event: l.event, problem: l.problem, error: (l.error as { message?: string })?.message, day: l.day })).slice(0, 8));
  say('fault on: days archived', worker.logs.filter((l) => l.event === 'archive_day_archived').length);
  say('fault on: index', index && { count: index.count, last: index.last });
  say('fault on: target stored', (await stored(`governance-archive/${target}.json`)) !== null);
  say('fault on: snapshot filesBehind', snapshot?.filesBehind);
  say('fault on: healthz', await fetch(`http://127.0.0.1:${worker.logs.find((l) => l.event === 'health_listening')?.port ?? 0}/healthz`).then((r) => r.json(), () => 'n/a'));
  if (index) {
    const missing: string[] = [];
    for (const entry of index.days as Array<{ day: string }>) if ((await stored(`governance-archive/${entry.day}.json`)) === null) missing.push(entry.day);
    say('fault on: index names days not stored', missing);
  }
  faulty = false;
  await published(3);
  const healed = JSON.parse((await stored('governance-archive.json')) ?? 'null');
  say('fault off: archive events', worker.logs.filter((l) => /archive/.test(l.event) && !['archive_day_archived'].includes(l.event)).map((l) => ({ event: l.event, problem: l.problem, day: l.day, count: l.count })).slice(0, 12));
  say('fault off: index', healed && { count: healed.count, last: healed.last });
  const puts = dayPuts();
  const twice = puts.filter((key, i) => puts.indexOf(key) !== i);
  say('day objects written more than once', twice);
  say('failed ticks', worker.logs.filter((l) => l.event === 'snapshot_failed').map((l) => l.error));
  // the verify command, as a reader would run it, against the bucket over HTTP
  // (asynchronously: s3rver runs in this process and must keep answering)
  const verify = await promisify(execFile)(process.execPath, ['verify/main.ts', `${s3.endpoint}/status/${prefix}governance-status.json`], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname }).then((out) => ({ ...out, status: 0 }), (error: { code: number; stdout: string; stderr: string }) => ({ status: error.code, stdout: error.stdout, stderr: error.stderr }));
  say('verify exit', verify.status);
  say('verify says', (verify.stdout + verify.stderr).trim().split('\n').slice(0, 6).join(' | '));
} finally {
  await stopWorker(worker);
  await proxy.close();
  await s3.close();
  await database.drop();
  await rm(folder, { recursive: true, force: true });
}
