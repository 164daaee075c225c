// Attack: the file store's folder fills up (ENOSPC), then turns read-only (EROFS), then recovers.
// A 4 MiB tmpfs is mounted (needs root with CAP_SYS_ADMIN), the real scheduled worker publishes into
// it every 3 s with a signing key; then a filler file takes every free block; then the filler goes;
// then the mount is remounted read-only; then read-write again. After each phase: the snapshot on
// disk is whole JSON (never empty or cut), what the worker logged, stray temporary and lock files,
// the worker's open descriptors, and how many ticks it took to publish again.
// Run: node tests/attacks/disk-full.ts
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findFreePort } from '../../scripts/embedded-postgres.ts';
import { startWorker, stopWorker } from '../support/worker-process.ts';
import { createAttackDatabase, say } from './support.ts';

const mount = '/tmp/attack-full';
await mkdir(mount, { recursive: true });
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount]);
const site = join(mount, 'site');
await mkdir(site);
const keyFile = '/tmp/attack-full-key.pem';
await writeFile(keyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
const database = await createAttackDatabase();
const healthPort = await findFreePort();
const worker = startWorker([], {
  DATABASE_URL: database.readerUrl,
  SNAPSHOT_DESTINATION: `file://${site}/governance-status.json`,
  HEALTH_PORT: String(healthPort),
  SNAPSHOT_CRON: '*/3 * * * * *',
  SIGNING_KEY_FILE: keyFile,
  STATUS_PAGE_URL: 'https://status.example.org/',
});
const published = () => worker.logs.filter((l) => l.event === 'snapshot_published').length;
const waitPublished = (count: number, timeoutMs = 120_000) => worker.waitFor('snapshot_published', { count: published() + count, timeoutMs });
const snapshotOnDisk = async () => {
  const text = await readFile(join(site, 'governance-status.json'), 'utf8').catch((e: Error) => `unreadable: ${e.message}`);
  try {
    return { bytes: text.length, generatedAt: JSON.parse(text).generatedAt };
  } catch {
    return { bytes: text.length, notJson: text.slice(0, 60) };
  }
};
const strays = async () => (await readdir(site, { recursive: true })).filter((name) => /\.tmp$|\.lock$/.test(name));
const openFds = async () => (await readdir(`/proc/${worker.child.pid}/fd`).catch(() => [])).length;
const health = () => fetch(`http://127.0.0.1:${healthPort}/healthz`).then((r) => r.json(), () => null);
const eventsSince = (mark: number) => worker.logs.slice(mark).filter((l) => l.level !== 'info' || /fail/.test(l.event)).map((l) => `${l.event}: ${JSON.stringify(l.error ?? l.problem ?? l.message ?? l.file ?? '').slice(0, 220)}`);
/** What a phase left: the snapshot on disk, the warnings and failures since `mark`, stray files, descriptors, /healthz. */
async function report(phase: string, mark: number) {
  say(`${phase}: snapshot`, await snapshotOnDisk());
  say(`${phase}: events`, [...new Set(eventsSince(mark))].slice(0, 12));
  say(`${phase}: strays`, await strays());
  say(`${phase}: fds`, await openFds());
  say(`${phase}: healthz`, await health());
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

try {
  await waitPublished(2);
  say('phase 1 (room): snapshot', await snapshotOnDisk());
  say('phase 1: df', execFileSync('df', ['-k', mount]).toString().split('\n')[1]);
  say('phase 1: fds', await openFds());

  // phase 2: full
  let mark = worker.logs.length;
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${mount}/filler`, 'bs=4k'], { stdio: 'ignore' });
  } catch {
    // dd ends with ENOSPC: the disk is full
  }
  const before = published();
  await sleep(40_000);
  say('phase 2 (full): published during', published() - before);
  await report('phase 2', mark);

  // phase 3: room again
  mark = worker.logs.length;
  await rm(`${mount}/filler`);
  const freedAt = Date.now();
  await waitPublished(1);
  say('phase 3 (room again): first publish after (s)', (Date.now() - freedAt) / 1000);
  say('phase 3: ticks failed before it', worker.logs.slice(mark).filter((l) => l.event === 'snapshot_failed').length);
  await waitPublished(1);
  await report('phase 3', mark);

  // phase 4: read-only
  mark = worker.logs.length;
  execFileSync('mount', ['-o', 'remount,ro', mount]);
  await sleep(20_000);
  say('phase 4 (read-only): snapshot', await snapshotOnDisk());
  say('phase 4: events', [...new Set(eventsSince(mark))].slice(0, 8));
  say('phase 4: fds', await openFds());
  mark = worker.logs.length;
  execFileSync('mount', ['-o', 'remount,rw', mount]);
  const rwAt = Date.now();
  await waitPublished(1);
  say('phase 5 (read-write): first publish after (s)', (Date.now() - rwAt) / 1000);
  say('phase 5: snapshot', await snapshotOnDisk());
  say('phase 5: strays', await strays());
  say('phase 5: events', [...new Set(eventsSince(mark))].slice(0, 8));
  const verify = execFileSync(process.execPath, ['verify/main.ts', site], { cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8' });
  say('verify', verify.trim().split('\n').slice(0, 3).join(' | '));
} finally {
  await stopWorker(worker);
  say('worker stderr (non-JSON)', worker.stderr().split('\n').filter((l) => l && !l.startsWith('{')).slice(0, 5));
  await database.drop();
  execFileSync('umount', [mount]);
  await rm(keyFile, { force: true });
}
