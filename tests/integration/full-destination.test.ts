// A file destination that takes no more bytes, as a full disk does, then room again: the real
// scheduled worker under a file size limit of 0 (RLIMIT_FSIZE: every write fails with EFBIG, while
// creating an empty file still works, exactly what ENOSPC does on a full disk), lifted with
// prlimit(1) while it runs. The last good snapshot stays, nothing of the worker's own is left
// behind in the folder, and the first tick after the lift publishes.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedScenario } from '../fixtures/scenario.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startWorker, stopWorker, type LogLine, type WorkerProcess } from '../support/worker-process.ts';

let database: TestDatabase;
let folder: string;
let worker: WorkerProcess | undefined;
beforeAll(async () => {
  database = await createTestDatabase({ ledger: 'graph_runs' });
  await seedScenario(database.admin, 'graph_runs');
  folder = await mkdtemp(join(tmpdir(), 'governance-full-'));
});
afterAll(async () => {
  if (worker) await stopWorker(worker);
  await database?.drop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** The files the worker has open in the folder, by name (a handle it forgot stays open until garbage collection). */
async function openInFolder(pid: number): Promise<string[]> {
  const fds = await readdir(`/proc/${pid}/fd`);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target.startsWith(folder));
}

describe('a file destination that takes no more bytes (a full disk)', () => {
  it('keeps the last good snapshot, leaves no lock or handle behind, and publishes on the first tick after room returns', async () => {
    const target = join(folder, 'governance-status.json');
    const lastGood = '{"generatedAt":"2000-01-01T00:00:00.000Z","lastGood":true}\n';
    await writeFile(target, lastGood);
    // the soft limit only: prlimit may raise it again up to the hard one, as any owner of the process may
    worker = startWorker([], { DATABASE_URL: database.readerUrl, SNAPSHOT_DESTINATION: `file://${target}`, SNAPSHOT_CRON: '*/2 * * * * *', HEALTH_PORT: '0' }, [
      'sh', '-c', 'ulimit -S -f 0 && exec "$0" "$@"',
    ]);
    const failed = (line: LogLine) => /EFBIG/.test(JSON.stringify(line.error));
    const first = await worker.waitFor('snapshot_failed', { where: failed, timeoutMs: 30_000 });
    expect(await readFile(target, 'utf8')).toBe(lastGood);
    expect((await readdir(folder)).filter((name) => name.startsWith('.'))).toEqual([]); // no lock, no temporary file
    expect(await openInFolder(worker.child.pid!)).toEqual([]);
    // and a later tick fails as fast, on the disk, not waiting out a lock the first one left (which
    // would skip every tick for 30 s); one skip is a slow machine's
    const next = await worker.waitFor('snapshot_failed', { where: failed, count: 2, timeoutMs: 30_000 });
    const between = worker.logs.slice(worker.logs.indexOf(first), worker.logs.indexOf(next));
    expect(between.filter((line) => line.event === 'snapshot_skipped').length).toBeLessThanOrEqual(1);

    await promisify(execFile)('prlimit', [`--pid=${worker.child.pid}`, '--fsize=unlimited:unlimited']);
    const mark = worker.logs.length;
    const published = await worker.waitFor('snapshot_published', { after: mark, timeoutMs: 30_000 });
    // at most the tick already under way when the limit went (it may still fail); never a wait for a lock
    const before = worker.logs.slice(mark, worker.logs.indexOf(published));
    expect(before.filter((line) => line.event === 'snapshot_failed' || line.event === 'snapshot_skipped').length).toBeLessThanOrEqual(1);
    expect(JSON.parse(await readFile(target, 'utf8'))).toMatchObject({ generatedAt: published.generatedAt });
  });
});
